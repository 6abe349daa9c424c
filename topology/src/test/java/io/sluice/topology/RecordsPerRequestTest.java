package io.sluice.topology;

import static io.sluice.topology.TopologyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.RequestParams;
import io.sluice.events.ToolResult;
import io.sluice.events.ToolSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * Counts the records one request makes, per topic, changelogs and repartitions included (the driver
 * records every topic its producer writes to); the completion, written by the dispatcher's own
 * producer, is piped in by the test and counted apart. The figures are the table "records per
 * request" in docs/BENCHMARKS.md: a change that adds a record per request fails here.
 */
class RecordsPerRequestTest {
  private static final SessionSettings DEFAULTS =
      TopologyFixture.SETTINGS.withIdempotencyWindow(Duration.ofHours(24));

  @Test
  void givenARequestWithoutHistoryKeyedBySession_whenItIsAnswered_thenItWritesTheseRecords() {
    Map<String, Integer> written = oneRequest(DEFAULTS, "", false);

    assertThat(written)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "llm.responses", 1,
                "llm.traces", 4,
                "llm.usage", 1,
                "sluice-test-pending-changelog", 2,
                "sluice-test-answered-changelog", 1));
  }

  @Test
  void givenRootSpansOnly_whenARequestWithoutHistoryIsAnswered_thenItWritesOneSpan() {
    Map<String, Integer> written = oneRequest(DEFAULTS.withSpans(Tracer.Level.ROOT), "", false);

    assertThat(written)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "llm.responses", 1,
                "llm.traces", 1,
                "llm.usage", 1,
                "sluice-test-pending-changelog", 2,
                "sluice-test-answered-changelog", 1));
  }

  @Test
  void givenACacheableRequest_whenItIsAnswered_thenItAlsoWritesItsLookupSpanAndCacheEntry() {
    assertThat(oneRequest(DEFAULTS, CACHE, true))
        .containsEntry("llm.traces", 5)
        .containsEntry("llm.cache", 1);
    assertThat(oneRequest(DEFAULTS.withSpans(Tracer.Level.ROOT), CACHE, true))
        .containsEntry("llm.traces", 1)
        .containsEntry("llm.cache", 1);
  }

  @Test
  void givenARequestKeyedByAnotherKey_whenItIsAnswered_thenItTakesOneRepartitionRecordMore() {
    try (TopologyFixture t = new TopologyFixture(TopologyFixture.CONFIG, DEFAULTS)) {
      var r = request("r1", "s1", "hello");
      r.setUseHistory(false);
      t.sendKeyed("not-the-session", r);
      t.complete(t.dispatcher.last(), "hi");

      assertThat(written(t))
          .containsEntry("sluice-test-requests-by-session-repartition", 1)
          .containsEntry("llm.traces", 4);
    }
  }

  @Test
  void givenARequestWithOneToolRound_whenItIsAnswered_thenEachPendingStateIsWrittenOncePerEvent() {
    try (TopologyFixture t =
        new TopologyFixture(
            TopologyFixture.CONFIG + "tools: {timeout_ms: 1000, max_rounds: 2}\n", DEFAULTS)) {
      var r = request("r1", "s1", "use the clock");
      r.setUseHistory(false);
      r.setTools(List.of(new ToolSpec("clock", "", "{}")));
      t.send(r);
      t.askForTools(t.dispatcher.last(), Map.of("clock", "c1"));
      t.toolResults.pipeInput("s1", new ToolResult("r1", "s1", "c1", "clock", "12:00", false, 1));
      t.complete(t.dispatcher.last(), "it is noon");

      Map<String, Integer> written = written(t);
      System.out.println("records per request (one tool round): " + written);
      // put at dispatch, put at the round's start, put at the result and re-dispatch (one event:
      // one put), delete at the answer
      assertThat(written).containsEntry("sluice-test-pending-changelog", 4);
    }
  }

  private static final String CACHE = "cache: {enabled: true}\n";

  /** One request without history, answered by one provider call: what it wrote, per topic. */
  private static Map<String, Integer> oneRequest(
      SessionSettings settings, String extraYaml, boolean deterministic) {
    try (TopologyFixture t = new TopologyFixture(TopologyFixture.CONFIG + extraYaml, settings)) {
      var r = request("r1", "s1", "hello");
      r.setUseHistory(false);
      if (deterministic) {
        r.setParams(RequestParams.newBuilder().setTemperature(0.0).build());
      }
      t.send(r);
      t.complete(t.dispatcher.last(), "hi");
      Map<String, Integer> written = written(t);
      System.out.println(
          "records per request (no history, "
              + settings.spans()
              + (deterministic ? ", cacheable" : "")
              + "): "
              + written);
      return written;
    }
  }

  /** Records written per topic, read back from every topic the driver's producer wrote to. */
  static Map<String, Integer> written(TopologyFixture t) {
    Map<String, Integer> counts = new TreeMap<>();
    for (String topic : t.driver.producedTopicNames()) {
      var out =
          t.driver.createOutputTopic(
              topic, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
      counts.put(topic, (int) out.getQueueSize());
    }
    counts.values().removeIf(n -> n == 0);
    return counts;
  }
}
