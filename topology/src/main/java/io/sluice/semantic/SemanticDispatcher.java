package io.sluice.semantic;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.dispatch.CompletionSink;
import io.sluice.dispatch.DispatchJob;
import io.sluice.dispatch.Dispatcher;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The semantic cache in front of the provider dispatcher. A job that carries a {@link
 * SemanticQuery} (an exact miss for a model that uses the semantic cache) goes to a bounded pool of
 * worker threads, which embed its last user turn and search the {@link SemanticIndex} within its
 * scope; a match above the threshold that the {@link Guards} accept goes back to the session
 * processor as a {@link SemanticVerdict} on the completions topic, like a completion. Without a
 * match the worker hands the job on to the providers. When the pool is full the job skips the
 * semantic cache and goes straight on (counted).
 *
 * <p>{@link #cached} indexes an answer just written to the cache: off the stream thread, its vector
 * (usually still known from the lookup) is written to the semantic topic, from which every
 * instance's {@link IndexFeed} builds its index.
 *
 * <p>Threading: {@code submit} and {@code cached} are called from stream threads and never block;
 * workers touch only the index (thread-safe), the sinks and the delegate (thread-safe).
 */
public final class SemanticDispatcher implements Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(SemanticDispatcher.class);
  private static final int CANDIDATES = 8;

  private final Dispatcher delegate;
  private final Embedder embedder;
  private final SemanticIndex index;
  private final SemanticSettings settings;
  private final CompletionSink verdicts;
  private final BiConsumer<String, String> indexSink;
  private final ThreadPoolExecutor pool;
  private final Timer embedTime;
  private final Counter hits;
  private final Counter misses;
  private final Counter skipped;
  private final Counter unindexed;

  /**
   * @param indexSink writes (cache key, JSON value) to the semantic topic
   */
  public SemanticDispatcher(
      Dispatcher delegate,
      Embedder embedder,
      SemanticIndex index,
      SemanticSettings settings,
      CompletionSink verdicts,
      BiConsumer<String, String> indexSink,
      MeterRegistry registry) {
    this.delegate = delegate;
    this.embedder = new VectorCache(embedder, 4_096);
    this.index = index;
    this.settings = settings;
    this.verdicts = verdicts;
    this.indexSink = indexSink;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            settings.workers(),
            settings.workers(),
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(settings.queue()),
            r -> {
              Thread t = new Thread(r, "sluice-semantic-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.embedTime =
        Timer.builder("sluice.semantic.embed")
            .description("time to embed one prompt")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    this.hits = lookups(registry, "hit");
    this.misses = lookups(registry, "miss");
    this.skipped = lookups(registry, "skipped");
    this.unindexed =
        Counter.builder("sluice.semantic.unindexed")
            .description("cached answers not indexed: the worker pool was full")
            .register(registry);
    Gauge.builder("sluice.semantic.index.entries", index, SemanticIndex::size)
        .description("entries in this instance's semantic index")
        .register(registry);
  }

  private static Counter lookups(MeterRegistry registry, String outcome) {
    return Counter.builder("sluice.semantic.lookups")
        .description("semantic cache lookups after an exact miss, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  @Override
  public boolean submit(DispatchJob job) {
    if (job.semantic() == null) {
      return delegate.submit(job);
    }
    try {
      pool.execute(() -> lookup(job));
      return true;
    } catch (RejectedExecutionException full) {
      skipped.increment();
      return delegate.submit(job.withoutSemantic());
    }
  }

  private void lookup(DispatchJob job) {
    SemanticQuery q = job.semantic();
    try {
      long start = System.nanoTime();
      float[] v = embedder.embed(q.text());
      long embedNs = System.nanoTime() - start;
      embedTime.record(embedNs, TimeUnit.NANOSECONDS);
      PromptFeatures f = PromptFeatures.of(q.text());
      long now = System.currentTimeMillis();
      List<SemanticIndex.Candidate> found =
          index.candidates(q.scope(), v, (float) settings.threshold(), CANDIDATES);
      for (SemanticIndex.Candidate c : found) {
        if (now - c.entry().atMs() <= settings.ttl().toMillis()
            && !c.entry().cacheKey().equals(q.cacheKey())
            && settings.guards().agree(f, c.entry().features())) {
          hits.increment();
          verdicts.publish(
              job.partition(),
              SemanticVerdict.hit(job, c.entry().cacheKey(), c.similarity(), embedNs / 1_000_000));
          return;
        }
      }
    } catch (RuntimeException e) {
      log.warn(
          "semantic lookup of {} failed; it goes to the providers: {}",
          q.requestId(),
          e.toString());
    }
    misses.increment();
    if (!delegate.submit(job.withoutSemantic())) {
      verdicts.publish(job.partition(), SemanticVerdict.miss(job));
    }
  }

  @Override
  public void cached(SemanticQuery query, long atMs) {
    try {
      pool.execute(
          () -> {
            float[] v = embedder.embed(query.text());
            String json = IndexRecords.toJson(query, v, atMs);
            index.add(IndexRecords.entry(query.cacheKey(), json)); // this instance at once
            indexSink.accept(query.cacheKey(), json); // every instance, through the topic
          });
    } catch (RejectedExecutionException full) {
      unindexed.increment();
    }
  }

  @Override
  public int inFlight() {
    return delegate.inFlight();
  }

  /** Stops the workers; the delegate is closed by its owner. */
  @Override
  public void close() {
    pool.shutdownNow();
  }
}
