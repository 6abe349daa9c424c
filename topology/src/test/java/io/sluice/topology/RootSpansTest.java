package io.sluice.topology;

import static io.sluice.topology.TopologyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.ToolResult;
import io.sluice.events.ToolSpec;
import io.sluice.events.TraceSpan;
import io.sluice.internal.PendingRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code tracing.spans: root}: one request span per request, the stages as its attributes. */
class RootSpansTest {
  private static final SessionSettings ROOT = TopologyFixture.SETTINGS.withSpans(Tracer.Level.ROOT);

  @Test
  void givenRootSpans_whenARequestIsAnswered_thenItsOnlySpanCarriesEveryStage() {
    try (TopologyFixture t = new TopologyFixture(TopologyFixture.CONFIG, ROOT)) {
      t.send(request("r1", "s1", "hello"));
      t.complete(t.dispatcher.last(), "hi");

      TraceSpan root = t.traces.readValue();
      assertThat(t.traces.isEmpty()).as("one span").isTrue();
      assertThat(root.getName()).isEqualTo("request");
      assertThat(root.getParentSpanId()).isNull();
      Map<String, String> a = root.getAttributes();
      assertThat(a)
          .containsEntry("spans", "root")
          .containsEntry("status", "OK")
          .containsEntry("model", "gpt")
          .containsEntry("admission.count", "1")
          .containsEntry("admission.1.status", "OK")
          .containsEntry("admission.1.queue_position", "0")
          .containsEntry("provider.call.count", "1")
          .containsEntry("provider.call.1.provider", "sim")
          .containsEntry("provider.call.1.provider_model", "sim-gpt")
          .containsEntry("provider.call.1.prompt_tokens", "7")
          .containsEntry("provider.call.1.completion_tokens", "2")
          .containsEntry("provider.call.1.cost_usd", "0.0")
          .containsEntry("provider.call.1.duration_ms", "5")
          .containsEntry("provider.call.1.status", "OK")
          .containsEntry("respond.count", "1")
          .containsEntry("respond.1.status", "OK")
          .containsKeys(
              "admission.1.offset_ms",
              "admission.1.duration_ms",
              "provider.call.1.offset_ms",
              "respond.1.offset_ms",
              "respond.1.duration_ms")
          .doesNotContainKeys("provider.call.1.model", "admission.1.model");
    }
  }

  @Test
  void givenRootSpans_whenARequestWaitsInItsQueue_thenItsAdmissionIsKeptInThePendingStore() {
    try (TopologyFixture t = new TopologyFixture(TopologyFixture.CONFIG, ROOT)) {
      t.send(request("r1", "s1", "first"));
      t.send(request("r2", "s1", "second, queued"));

      PendingRequest queued =
          t.driver
              .<String, PendingRequest>getKeyValueStore(SessionProcessorSupplier.PENDING)
              .get("r2");
      assertThat(queued.getStageAttributes())
          .containsEntry("admission.1.queue_position", "1")
          .containsKey("admission.1.duration_ms");
      assertThat(t.traces.isEmpty()).as("no span before the answer").isTrue();

      t.complete(t.dispatcher.last(), "one");
      t.complete(t.dispatcher.last(), "two");
      List<TraceSpan> spans = t.traces.readValuesToList();
      assertThat(spans).extracting(TraceSpan::getRequestId).containsExactly("r1", "r2");
      assertThat(spans.get(1).getAttributes()).containsEntry("admission.1.queue_position", "1");
    }
  }

  @Test
  void givenRootSpans_whenARequestTakesAToolRound_thenBothRoundsCallsAndTheToolAreOnTheRoot() {
    try (TopologyFixture t =
        new TopologyFixture(
            TopologyFixture.CONFIG + "tools: {timeout_ms: 1000, max_rounds: 2}\n", ROOT)) {
      var r = request("r1", "s1", "what time is it?");
      r.setTools(List.of(new ToolSpec("clock", "", "{}")));
      t.send(r);
      t.askForTools(t.dispatcher.last(), Map.of("clock", "c1"));
      t.toolResults.pipeInput("s1", new ToolResult("r1", "s1", "c1", "clock", "12:00", false, 1));
      t.complete(t.dispatcher.last(), "noon");

      TraceSpan root = t.traces.readValue();
      assertThat(t.traces.isEmpty()).isTrue();
      assertThat(root.getAttributes())
          .containsEntry("provider.call.count", "2")
          .containsEntry("provider.call.1.prompt_tokens", "5")
          .containsEntry("provider.call.2.prompt_tokens", "7")
          .containsEntry("tool.call.count", "1")
          .containsEntry("tool.call.1.tool", "clock")
          .containsEntry("tool.call.1.status", "OK");
    }
  }

  @Test
  void givenEverySpan_whenARequestIsAnswered_thenEachStageIsItsOwnSpanAsBefore() {
    try (TopologyFixture t = new TopologyFixture()) {
      t.send(request("r1", "s1", "hello"));
      t.complete(t.dispatcher.last(), "hi");

      List<TraceSpan> spans = t.traces.readValuesToList();
      assertThat(spans)
          .extracting(TraceSpan::getName)
          .containsExactly("admission", "provider.call", "respond", "request");
      assertThat(spans.get(3).getAttributes())
          .doesNotContainKeys("spans", "admission.count", "provider.call.count");
    }
  }
}
