package io.sluice.dispatch;

import io.sluice.internal.Completion;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.provider.ProviderClient;
import io.sluice.routing.ModelCatalog;
import io.sluice.routing.ModelRoute;
import io.sluice.routing.Router;
import io.sluice.routing.RoutingSettings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The dispatcher of one instance. For each job it walks the alias and then its fallbacks: the
 * router picks a deployment (by strategy, skipping open circuits), the call runs on that provider's
 * lane (at most {@code max_concurrency} in flight, the rest queued by priority, then age), and the
 * outcome decides what is next:
 *
 * <ul>
 *   <li>an answer: done;
 *   <li>a retriable failure (timeout, connection, 429, 5xx, overload): retried up to the alias's
 *       {@code retries} after an exponential backoff with full jitter, never sooner than the
 *       provider's {@code Retry-After}; then the next fallback;
 *   <li>a context-window error: the next fallback at once, without retries;
 *   <li>a terminal failure (400, 401, 403, 404): done, with that error.
 * </ul>
 *
 * A streamed job ({@link DispatchJob#streamsChunks}) calls its provider with streaming and writes
 * each delta as a chunk to the job's reply topic; retries and fallbacks apply only until its first
 * chunk is written: a failure after it ends the job with {@code stream_interrupted}.
 *
 * <p>Nothing blocks: backoffs are timers on one scheduler thread, calls are okhttp async calls, and
 * each job ends in exactly one completion published to its partition.
 *
 * <p>This class admits jobs and owns the shared parts; one job's walk is a {@link DispatchRun}, a
 * provider's concurrency limit a {@link ProviderLane}, the records it produces {@link
 * CompletionRecords}.
 */
public final class HttpDispatcher implements Dispatcher {
  private final CompletionSink sink;
  private final int maxQueued;
  private final ScheduledExecutorService timers;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger seq = new AtomicInteger();
  private final GatewayMetrics metrics;
  private final Clock clock;
  private final ChunkSink chunks;

  /**
   * What new jobs are routed by; swapped whole by {@link #retable}. A job reads it once, at submit,
   * and keeps it to its end: a dispatched request finishes on the routes and clients it had.
   */
  private volatile DispatchContext runs;

  private volatile boolean closed;

  /** The most characters of text or tool arguments in one chunk (about 24 KiB of UTF-8 at most). */
  public static final int MAX_CHUNK_CHARS = 8192;

  /** A dispatcher that never writes chunks: streamed requests are answered whole. */
  public HttpDispatcher(
      ModelCatalog catalog,
      Router router,
      Map<String, ProviderClient> clients,
      Map<String, Integer> maxConcurrency,
      CompletionSink sink,
      int maxQueued,
      RoutingSettings settings,
      GatewayMetrics metrics,
      Clock clock) {
    this(
        catalog,
        router,
        clients,
        maxConcurrency,
        sink,
        ChunkSink.NONE,
        maxQueued,
        settings,
        metrics,
        clock);
  }

  /**
   * @param chunks where the chunks of streamed requests ({@link DispatchJob#streamsChunks}) go
   */
  public HttpDispatcher(
      ModelCatalog catalog,
      Router router,
      Map<String, ProviderClient> clients,
      Map<String, Integer> maxConcurrency,
      CompletionSink sink,
      ChunkSink chunks,
      int maxQueued,
      RoutingSettings settings,
      GatewayMetrics metrics,
      Clock clock) {
    this.sink = sink;
    this.metrics = metrics;
    this.clock = clock;
    this.chunks = chunks;
    this.maxQueued = maxQueued;
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-dispatch-timer");
              t.setDaemon(true);
              return t;
            });
    this.runs =
        context(catalog, router, clients, lanes(clients, maxConcurrency, Map.of()), settings);
  }

  /**
   * Routes the jobs submitted from now on by {@code catalog}, through {@code clients}; jobs already
   * submitted finish on what they had. A provider whose {@code max_concurrency} is unchanged keeps
   * its lane (its calls in flight and its queue).
   */
  public void retable(
      ModelCatalog catalog,
      Router router,
      Map<String, ProviderClient> clients,
      Map<String, Integer> maxConcurrency,
      RoutingSettings settings) {
    synchronized (this) {
      runs =
          context(catalog, router, clients, lanes(clients, maxConcurrency, runs.lanes()), settings);
    }
  }

  private Map<String, ProviderLane> lanes(
      Map<String, ProviderClient> clients,
      Map<String, Integer> maxConcurrency,
      Map<String, ProviderLane> before) {
    Map<String, ProviderLane> lanes = new HashMap<>();
    for (String p : clients.keySet()) {
      int limit = maxConcurrency.getOrDefault(p, 256);
      ProviderLane old = before.get(p);
      lanes.put(p, old != null && old.limit() == limit ? old : new ProviderLane(limit, queued));
    }
    return Map.copyOf(lanes);
  }

  private DispatchContext context(
      ModelCatalog catalog,
      Router router,
      Map<String, ProviderClient> clients,
      Map<String, ProviderLane> lanes,
      RoutingSettings settings) {
    for (String alias : catalog.aliases()) {
      catalog
          .route(alias)
          .ifPresent(r -> r.deployments().forEach(d -> metrics.deployment(router.state(d))));
    }
    return new DispatchContext(
        catalog,
        router,
        Map.copyOf(clients),
        lanes,
        settings,
        metrics,
        clock,
        timers,
        inFlight,
        this::publish,
        chunks,
        MAX_CHUNK_CHARS);
  }

  @Override
  public boolean submit(DispatchJob job) {
    if (closed || queued.get() >= maxQueued) {
      return false;
    }
    DispatchContext ctx = runs;
    ModelRoute route = ctx.catalog().route(job.model()).orElse(null);
    List<String> chain = new ArrayList<>();
    chain.add(job.model());
    if (route != null) {
      chain.addAll(route.fallbacks());
    }
    new DispatchRun(ctx, job, chain, route == null ? 0 : route.retries(), seq.incrementAndGet())
        .route();
    return true;
  }

  /** Every completion of this dispatcher leaves through here, one per accepted job. */
  private void publish(int partition, Completion completion) {
    sink.publish(partition, completion);
  }

  @Override
  public int inFlight() {
    return inFlight.get();
  }

  /** Jobs waiting for a provider lane. */
  public int queued() {
    return queued.get();
  }

  @Override
  public void close() {
    closed = true;
    timers.shutdownNow();
  }
}
