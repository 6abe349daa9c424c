package io.sluice.semantic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.dispatch.CompletionSink;
import io.sluice.dispatch.DispatchJob;
import io.sluice.dispatch.Dispatcher;
import io.sluice.internal.Completion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SemanticDispatcherTest {
  private final FakeEmbedder embedder = new FakeEmbedder();
  private final SemanticIndex index = new SemanticIndex(100, 60_000);
  private final List<DispatchJob> toProviders = new CopyOnWriteArrayList<>();
  private final List<Completion> verdicts = new CopyOnWriteArrayList<>();
  private final Map<String, String> written = new ConcurrentHashMap<>();
  private volatile boolean providersFull;
  private final Dispatcher providers =
      new Dispatcher() {
        @Override
        public boolean submit(DispatchJob job) {
          if (providersFull) {
            return false;
          }
          toProviders.add(job);
          return true;
        }

        @Override
        public int inFlight() {
          return 0;
        }

        @Override
        public void close() {}
      };
  private final CompletionSink sink = (partition, c) -> verdicts.add(c);
  private SemanticDispatcher dispatcher = dispatcher(1, 16);

  private SemanticDispatcher dispatcher(int workers, int queue) {
    return new SemanticDispatcher(
        providers,
        embedder,
        index,
        new SemanticSettings(0.8, workers, queue, 100, Duration.ofMinutes(1), Guards.all()),
        sink,
        written::put,
        new SimpleMeterRegistry());
  }

  @AfterEach
  void close() {
    dispatcher.close();
  }

  private static DispatchJob job(String id, String key, String scope, String text) {
    return new DispatchJob(
        id,
        "s-" + id,
        3,
        1,
        "gpt",
        List.of(),
        null,
        List.of(),
        Long.MAX_VALUE,
        5,
        false,
        null,
        null,
        null,
        new SemanticQuery(key, scope, text, id));
  }

  private void cachedEarlier(String key, String scope, String text) {
    index.add(
        new SemanticIndex.Entry(
            key,
            scope,
            "req-" + key,
            embedder.embed(text),
            PromptFeatures.of(text),
            System.currentTimeMillis()));
  }

  @Test
  void givenAParaphraseInTheIndexThenTheVerdictIsAHitComputedOffTheCallersThread() {
    cachedEarlier("k1", "scope", "What is the capital of France?");

    assertThat(dispatcher.submit(job("r2", "k2", "scope", "what is the capital of france")))
        .isTrue();

    await().until(() -> !verdicts.isEmpty());
    SemanticVerdict v = SemanticVerdict.of(verdicts.get(0));
    assertThat(v.hit()).isTrue();
    assertThat(v.cacheKey()).isEqualTo("k1");
    assertThat(v.similarity()).isGreaterThan(0.8);
    assertThat(verdicts.get(0).getRequestId()).isEqualTo("r2");
    assertThat(embedder.lastThread).isNotEqualTo(Thread.currentThread());
    assertThat(embedder.lastThread.getName()).startsWith("sluice-semantic-");
    assertThat(toProviders).isEmpty();
  }

  @Test
  void givenANearMissOrAnotherScopeThenTheJobGoesToTheProvidersWithoutLookup() {
    cachedEarlier("k1", "scope", "What is the capital of France?");
    cachedEarlier("k9", "other-tenant", "what is the capital of germany");

    dispatcher.submit(job("r2", "k2", "scope", "What is the capital of Germany?"));

    await().until(() -> toProviders.size() == 1);
    assertThat(toProviders.get(0).semantic()).isNull();
    assertThat(verdicts).isEmpty();
  }

  @Test
  void givenAMissAndFullProvidersThenAMissVerdictComesBack() {
    providersFull = true;

    dispatcher.submit(job("r2", "k2", "scope", "anything"));

    await().until(() -> !verdicts.isEmpty());
    assertThat(SemanticVerdict.of(verdicts.get(0)).hit()).isFalse();
  }

  @Test
  void givenAFullWorkerPoolThenTheJobSkipsTheSemanticCache() throws Exception {
    dispatcher.close();
    CountDownLatch release = new CountDownLatch(1);
    Embedder blocking =
        new Embedder() {
          @Override
          public float[] embed(String text) {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return embedder.embed(text);
          }

          @Override
          public int dimensions() {
            return 64;
          }
        };
    dispatcher =
        new SemanticDispatcher(
            providers,
            blocking,
            index,
            new SemanticSettings(0.8, 1, 1, 100, Duration.ofMinutes(1), Guards.all()),
            sink,
            written::put,
            new SimpleMeterRegistry());
    dispatcher.submit(job("r1", "k1", "scope", "one")); // on the worker
    dispatcher.submit(job("r2", "k2", "scope", "two")); // queued

    dispatcher.submit(job("r3", "k3", "scope", "three"));

    assertThat(toProviders).extracting(DispatchJob::requestId).containsExactly("r3");
    release.countDown();
  }

  @Test
  void givenACachedAnswerThenItsVectorIsIndexedHereAndWrittenForTheOthers() {
    dispatcher.cached(
        new SemanticQuery("k1", "scope", "What is the capital of France?", "r1"),
        System.currentTimeMillis());

    await().until(() -> written.containsKey("k1"));
    assertThat(IndexRecords.entry("k1", written.get("k1")).scope()).isEqualTo("scope");
    assertThat(index.size()).isEqualTo(1);
  }
}
