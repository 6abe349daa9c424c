package io.sluice.topology;

import static io.sluice.topology.TopologyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.sluice.events.CacheMode;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TraceSpan;
import io.sluice.events.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponseCacheTest {
  private static final SessionSettings SETTINGS =
      new SessionSettings(
          10,
          Duration.ofMinutes(5),
          Duration.ofHours(1),
          Duration.ofMinutes(5),
          Duration.ofMillis(100),
          false);
  private TopologyFixture t =
      new TopologyFixture(TopologyFixture.CONFIG + "cache: {ttl: 1m}\n", SETTINGS);

  @AfterEach
  void close() {
    t.close();
  }

  private static Request deterministic(String id, String session, String text) {
    Request r = request(id, session, text);
    r.setParams(new RequestParams(0.0, null, null, List.of(), null, Map.of()));
    return r;
  }

  /** Answers the last dispatched job, as the provider would. */
  private void answerLast(String content) {
    t.complete(t.dispatcher.last(), content);
  }

  @Test
  void shouldAnswerAnIdenticalDeterministicRequestFromTheCacheWithoutCallingTheProvider() {
    t.send(deterministic("r1", "s1", "What is 2+2?"));
    answerLast("4");

    t.send(deterministic("r2", "s2", "What is 2+2?"));

    assertThat(t.dispatcher.jobs).hasSize(1);
    List<Response> out = t.responses.readValuesToList();
    Response hit = out.get(1);
    assertThat(hit.getRequestId()).isEqualTo("r2");
    assertThat(hit.getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(hit.getCacheHit()).isTrue();
    assertThat(hit.getContent()).isEqualTo("4");
    assertThat(hit.getProvider()).isNull();
    assertThat(hit.getCostUsd()).isZero();
    assertThat(hit.getAttempts()).isZero();
    List<Usage> usage = t.usage.readValuesToList();
    assertThat(usage).extracting(Usage::getCacheHit).containsExactly(false, true);
    assertThat(usage.get(1).getCostUsd()).isZero();
    assertThat(t.traces.readValuesToList())
        .filteredOn(s -> s.getRequestId().equals("r2"))
        .extracting(TraceSpan::getName)
        .contains("cache.lookup")
        .doesNotContain("provider.call");
    assertThat(t.registry.get("sluice.cache.hits").counter().count()).isEqualTo(1.0);
  }

  @Test
  void givenACacheHitWhenItIsAnsweredThenThePendingStoreIsNeverWritten() {
    var pendingChangelog =
        t.driver.createOutputTopic(
            "sluice-test-" + SessionProcessorSupplier.PENDING + "-changelog",
            new StringDeserializer(),
            new ByteArrayDeserializer());
    t.send(deterministic("r1", "s1", "What is 2+2?"));
    answerLast("4");
    assertThat(pendingChangelog.readKeyValuesToList())
        .extracting(kv -> kv.key)
        .as("a provider call is pending while it runs")
        .contains("r1");

    t.send(deterministic("r2", "s2", "What is 2+2?"));

    assertThat(t.responses.readValuesToList())
        .extracting(Response::getRequestId, Response::getCacheHit)
        .containsExactly(tuple("r1", false), tuple("r2", true));
    assertThat(pendingChangelog.readKeyValuesToList())
        .extracting(kv -> kv.key)
        .doesNotContain("r2");
  }

  @Test
  void shouldNotUseTheCacheForSampledRequestsByDefault() {
    t.send(request("r1", "s1", "tell me a story"));
    answerLast("once upon a time");
    t.send(request("r2", "s2", "tell me a story"));

    assertThat(t.dispatcher.jobs).hasSize(2);
    assertThat(t.cache.isEmpty()).isTrue();
  }

  @Test
  void shouldCallTheProviderForBypassEvenWhenTheAnswerIsCached() {
    t.send(deterministic("r1", "s1", "q"));
    answerLast("a");
    Request bypass = deterministic("r2", "s2", "q");
    bypass.setCache(CacheMode.BYPASS);

    t.send(bypass);

    assertThat(t.dispatcher.jobs).hasSize(2);
  }

  @Test
  void shouldAnswerCacheMissForOnlyWhenNothingIsCachedAndAHitWhenSomethingIs() {
    Request only = request("r1", "s1", "q");
    only.setCache(CacheMode.ONLY);
    t.send(only);
    Response miss = t.responses.readValue();
    assertThat(miss.getStatus()).isEqualTo(ResponseStatus.ERROR);
    assertThat(miss.getError().getCode()).isEqualTo("cache_miss");
    assertThat(t.dispatcher.jobs).isEmpty();

    t.send(deterministic("r2", "s2", "q"));
    answerLast("a");
    t.responses.readValue();
    Request again = deterministic("r3", "s3", "q");
    again.setCache(CacheMode.ONLY);
    t.send(again);

    assertThat(t.responses.readValue().getCacheHit()).isTrue();
  }

  @Test
  void shouldIgnoreAnEntryOlderThanTheTtl() {
    t.send(deterministic("r1", "s1", "q"));
    answerLast("a");

    t.advance(Duration.ofSeconds(61));
    t.send(deterministic("r2", "s2", "q"));

    assertThat(t.dispatcher.jobs).hasSize(2);
  }

  @Test
  void shouldKeepTenantsApartWithTenantScope() {
    t.send(deterministic("r1", "s1", "q"));
    answerLast("a");
    Request other = deterministic("r2", "s2", "q");
    other.setTenantId("globex");

    t.send(other);

    assertThat(t.dispatcher.jobs).hasSize(2);
  }

  @Test
  void shouldShareEntriesAcrossTenantsWithGlobalScope() {
    t.close();
    t = new TopologyFixture(TopologyFixture.CONFIG + "cache: {ttl: 1m, scope: global}\n", SETTINGS);
    t.send(deterministic("r1", "s1", "q"));
    answerLast("a");
    Request other = deterministic("r2", "s2", "q");
    other.setTenantId("globex");

    t.send(other);

    assertThat(t.dispatcher.jobs).hasSize(1);
  }

  @Test
  void shouldKeyByTheWholeConversationSoADifferentHistoryMisses() {
    t.send(deterministic("r1", "s1", "q"));
    answerLast("a");
    t.send(deterministic("r2", "s1", "q")); // same text, but now after a turn of history

    assertThat(t.dispatcher.jobs).hasSize(2);
  }

  @Test
  void givenAnEntryPastItsTtl_whenThePurgeRuns_thenATombstoneDeletesItAndAFreshEntryStays() {
    t.send(deterministic("r1", "s1", "old question"));
    answerLast("old");
    t.driver.advanceWallClockTime(Duration.ofSeconds(50)); // a pass: nothing is 1 min old yet
    t.driver.advanceWallClockTime(Duration.ofSeconds(50)); // no pass: the last began 50 s ago
    t.send(deterministic("r2", "s2", "new question"));
    answerLast("new");

    t.driver.advanceWallClockTime(Duration.ofSeconds(11)); // a pass: "old" is 111 s old

    List<org.apache.kafka.streams.KeyValue<String, Response>> written =
        t.cache.readKeyValuesToList();
    assertThat(written)
        .extracting(kv -> kv.value == null ? null : kv.value.getContent())
        .containsExactly("old", "new", null);
    String oldKey = written.get(0).key;
    assertThat(written.get(2).key).isEqualTo(oldKey);
    var store = t.driver.<String, Response>getKeyValueStore(CacheStoreUpdater.STORE);
    assertThat(store.get(oldKey)).as("deleted from the global store").isNull();
    assertThat(store.get(written.get(1).key).getContent()).isEqualTo("new");
    assertThat(t.registry.get("sluice.cache.purged").counter().count()).isEqualTo(1.0);
  }

  @Test
  void givenManyExpiredEntries_whenThePurgeRuns_thenItDeletesThemASliceAtATimeThenWaits() {
    var cacheIn =
        t.driver.createInputTopic(
            t.topics.cache(),
            new org.apache.kafka.common.serialization.StringSerializer(),
            t.serdes.response().serializer());
    int entries = 2 * StoreSweep.SLICE + 500;
    for (int i = 0; i < entries; i++) {
      Response r =
          Response.newBuilder()
              .setRequestId("old-" + i)
              .setSessionId("s")
              .setStatus(ResponseStatus.OK)
              .setContent("a" + i)
              .setToolCalls(List.of())
              .setUsage(new io.sluice.events.TokenUsage(1, 1, 2))
              .setRespondedAt(TopologyFixture.START.toEpochMilli())
              .build();
      cacheIn.pipeInput(String.format("key-%05d", i), r);
    }

    List<Integer> perSecond = new java.util.ArrayList<>();
    for (int s = 0; s < 5; s++) {
      t.driver.advanceWallClockTime(Duration.ofSeconds(s == 0 ? 61 : 1));
      perSecond.add(t.cache.readKeyValuesToList().size());
    }

    assertThat(perSecond).containsExactly(StoreSweep.SLICE, StoreSweep.SLICE, 500, 0, 0);
    try (var left = t.driver.<String, Response>getKeyValueStore(CacheStoreUpdater.STORE).all()) {
      assertThat(left.hasNext()).isFalse();
    }
  }

  @Test
  void givenATtl_whenThePurgeIntervalIsDerived_thenItIsAQuarterOfItBetweenAMinuteAndAnHour() {
    assertThat(StoreSweep.interval(Duration.ofMinutes(1))).isEqualTo(Duration.ofMinutes(1));
    assertThat(StoreSweep.interval(Duration.ofHours(1))).isEqualTo(Duration.ofMinutes(15));
    assertThat(StoreSweep.interval(Duration.ofDays(7))).isEqualTo(Duration.ofHours(1));
  }
}
