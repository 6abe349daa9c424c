package io.sluice.topology;

import static io.sluice.topology.TopologyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TraceSpan;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionProcessorTest {
  private final TopologyFixture t = new TopologyFixture();

  @AfterEach
  void close() {
    t.close();
  }

  @Test
  void shouldDispatchOnlyTheHeadOfASessionAndQueueTheRest() {
    t.send(request("r1", "s1", "first"));
    t.send(request("r2", "s1", "second"));
    t.send(request("r3", "s2", "other session"));

    assertThat(t.dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("r1", "r3");
    assertThat(t.responses.isEmpty()).isTrue();
  }

  @Test
  void shouldAnswerInRequestOrderAndDispatchTheNextAfterEachCompletion() {
    t.send(request("r1", "s1", "first"));
    t.send(request("r2", "s1", "second"));

    t.complete(t.dispatcher.last(), "answer one");
    assertThat(t.dispatcher.last().requestId()).isEqualTo("r2");
    t.complete(t.dispatcher.last(), "answer two");

    List<Response> out = t.responses.readValuesToList();
    assertThat(out).extracting(Response::getRequestId).containsExactly("r1", "r2");
    assertThat(out).extracting(Response::getContent).containsExactly("answer one", "answer two");
    assertThat(out.get(0).getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(out.get(0).getProvider()).isEqualTo("sim");
    assertThat(out.get(0).getAttempts()).isEqualTo(1);
    assertThat(out.get(0).getUsage().getTotalTokens()).isEqualTo(9);
  }

  @Test
  void shouldSendTheSessionHistoryWithTheNextTurn() {
    t.send(request("r1", "s1", "What is Kafka?"));
    t.complete(t.dispatcher.last(), "A log.");
    t.send(request("r2", "s1", "And Streams?"));

    DispatchJob second = t.dispatcher.last();
    assertThat(second.messages())
        .extracting(m -> m.getRole() + ":" + m.getContent())
        .containsExactly("user:What is Kafka?", "assistant:A log.", "user:And Streams?");
  }

  @Test
  void shouldNotPrependHistoryWhenTheClientSendsTheWholeConversation() {
    t.send(request("r1", "s1", "What is Kafka?"));
    t.complete(t.dispatcher.last(), "A log.");
    var r2 = request("r2", "s1", "whole conversation");
    r2.setUseHistory(false);
    t.send(r2);

    assertThat(t.dispatcher.last().messages())
        .extracting(m -> m.getContent())
        .containsExactly("whole conversation");
  }

  @Test
  void shouldBoundTheHistoryKeepingSystemMessages() {
    var first = request("r0", "s1", "q0");
    first
        .getMessages()
        .add(0, new io.sluice.events.ChatMessage("system", "be brief", null, null, List.of()));
    t.send(first);
    t.complete(t.dispatcher.last(), "a0");
    for (int i = 1; i <= 3; i++) {
      t.send(request("r" + i, "s1", "q" + i));
      t.complete(t.dispatcher.last(), "a" + i);
    }
    t.send(request("r4", "s1", "q4"));

    // maxHistoryMessages is 4: the system message and the last four others, then the new turn
    assertThat(t.dispatcher.last().messages())
        .extracting(m -> m.getContent())
        .containsExactly("be brief", "q2", "a2", "q3", "a3", "q4");
  }

  @Test
  void shouldDropALateCompletionOfAnAnsweredRequest() {
    t.send(request("r1", "s1", "first"));
    DispatchJob job = t.dispatcher.last();
    t.complete(job, "answer");

    t.complete(job, "a second answer to the same request");

    assertThat(t.responses.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldAnswerTimeoutWhenTheDeadlinePassesAndServeTheNextRequest() {
    var r1 = request("r1", "s1", "slow");
    r1.setTimeoutMs(500L);
    t.send(r1);
    t.send(request("r2", "s1", "next"));
    DispatchJob first = t.dispatcher.last();

    t.advance(Duration.ofMillis(600));

    Response timeout = t.responses.readValue();
    assertThat(timeout.getRequestId()).isEqualTo("r1");
    assertThat(timeout.getStatus()).isEqualTo(ResponseStatus.ERROR);
    assertThat(timeout.getError().getCode()).isEqualTo("timeout");
    assertThat(t.dispatcher.last().requestId()).isEqualTo("r2");
    t.complete(first, "too late");
    assertThat(t.responses.isEmpty()).isTrue();
  }

  @Test
  void shouldCarryTheProviderStatusOfAFailedCall() {
    t.send(request("r1", "s1", "x"));

    t.fail(t.dispatcher.last(), 500);

    Response r = t.responses.readValue();
    assertThat(r.getStatus()).isEqualTo(ResponseStatus.ERROR);
    assertThat(r.getError().getHttpStatus()).isEqualTo(500);
    assertThat(r.getError().getMessage()).contains("HTTP 500");
    assertThat(r.getContent()).isNull();
  }

  @Test
  void shouldDispatchAgainWhenNoCompletionComesBackInTime() {
    var lost = request("r1", "s1", "lost");
    lost.setTimeoutMs(600_000L);
    t.send(lost);
    assertThat(t.dispatcher.jobs).hasSize(1);

    t.advance(Duration.ofSeconds(61));
    t.advance(Duration.ofMillis(100));

    assertThat(t.dispatcher.jobs).hasSize(2);
    assertThat(t.dispatcher.last().dispatch()).isEqualTo(2);
    t.complete(t.dispatcher.jobs.get(0), "the first call answered after all");
    assertThat(t.responses.readValue().getContent()).isEqualTo("the first call answered after all");
  }

  @Test
  void shouldOfferARefusedDispatchAgainWhenTheDispatcherHasRoom() {
    t.dispatcher.full = true;
    t.send(request("r1", "s1", "wait"));
    assertThat(t.dispatcher.jobs).isEmpty();

    t.dispatcher.full = false;
    t.advance(Duration.ofMillis(200));

    assertThat(t.dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("r1");
  }

  @Test
  void shouldIgnoreARepeatOfAPendingRequest() {
    t.send(request("r1", "s1", "once"));
    t.send(request("r1", "s1", "once"));

    t.complete(t.dispatcher.last(), "answer");

    assertThat(t.dispatcher.jobs).hasSize(1);
    assertThat(t.responses.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldTakeTheTraceIdFromATraceparentHeaderAndSpanEveryStage() {
    var headers = new RecordHeaders();
    headers.add(
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            .getBytes(StandardCharsets.US_ASCII));
    var r1 = request("r1", "s1", "traced");
    t.requests.pipeInput(
        new TestRecord<>(
            "s1".getBytes(StandardCharsets.UTF_8), t.serdes.request().serialize("t", r1), headers));

    t.complete(t.dispatcher.last(), "done");

    List<TraceSpan> spans = t.traces.readValuesToList();
    assertThat(spans)
        .extracting(TraceSpan::getName)
        .containsExactly("admission", "provider.call", "respond", "request");
    assertThat(spans)
        .allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736"));
    TraceSpan root = spans.get(3);
    assertThat(root.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(spans.subList(0, 3))
        .allSatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(root.getSpanId()));
    assertThat(spans.get(1).getAttributes())
        .containsEntry("provider", "sim")
        .containsEntry("attempt", "1")
        .containsEntry("http_status", "200");
    // the attributes connectors/trace-analytics/sql/trace-analytics.sql reads
    assertThat(spans.get(1).getAttributes())
        .containsKeys("provider_model", "prompt_tokens", "completion_tokens", "cost_usd", "model");
    assertThat(Double.parseDouble(spans.get(1).getAttributes().get("cost_usd"))).isNotNegative();
    assertThat(spans)
        .allSatisfy(s -> assertThat(s.getAttributes().values()).doesNotContain("traced"));
    assertThat(t.responses.readValue().getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void shouldWriteOneUsageRecordPerProviderCallKeyedByTenant() {
    t.send(request("r1", "s1", "x"));
    t.complete(t.dispatcher.last(), "y");

    var usage = t.usage.readKeyValue();
    assertThat(usage.key).isEqualTo("acme");
    assertThat(usage.value.getPromptTokens()).isEqualTo(7);
    assertThat(usage.value.getCacheHit()).isFalse();
    assertThat(t.usage.isEmpty()).isTrue();
  }

  @Test
  void givenSessionsIdlePastTheirTtl_whenTheSweepRuns_thenTheyAreForgottenASliceAtATime() {
    int idle = StoreSweep.SLICE + 200;
    for (int i = 0; i < idle; i++) {
      t.send(request("r" + i, String.format("s%05d", i), "hi"));
      t.complete(t.dispatcher.last(), "hello");
    }
    var sessions =
        t.driver.<String, io.sluice.internal.SessionState>getKeyValueStore(
            SessionProcessorSupplier.SESSIONS);
    t.driver.advanceWallClockTime(Duration.ofMinutes(30)); // a pass: nobody is idle an hour yet
    t.driver.advanceWallClockTime(Duration.ofSeconds(1)); // its second and last slice
    var fresh = request("fresh", "fresh", "hi"); // sorts first, answered half an hour later
    fresh.setCreatedAt(TopologyFixture.START.plus(Duration.ofMinutes(30)));
    t.send(fresh);
    t.complete(t.dispatcher.last(), "hello");
    assertThat(count(sessions)).isEqualTo(idle + 1);

    t.driver.advanceWallClockTime(Duration.ofMinutes(31)); // a pass, first slice
    long afterFirstSlice = count(sessions);
    t.driver.advanceWallClockTime(Duration.ofSeconds(1)); // its second slice

    assertThat(afterFirstSlice).isEqualTo(idle + 1 - (StoreSweep.SLICE - 1));
    assertThat(count(sessions)).isEqualTo(1);
    assertThat(sessions.get("fresh")).isNotNull();
  }

  private static long count(org.apache.kafka.streams.state.KeyValueStore<String, ?> store) {
    long n = 0;
    try (var all = store.all()) {
      for (; all.hasNext(); all.next()) {
        n++;
      }
    }
    return n;
  }
}
