package io.sluice.topology;

import static io.sluice.topology.TopologyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.CompletionSink;
import io.sluice.dispatch.DispatchJob;
import io.sluice.events.ErrorInfo;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import io.sluice.events.TraceSpan;
import io.sluice.events.Usage;
import io.sluice.internal.Attempt;
import io.sluice.internal.Completion;
import io.sluice.singleflight.SingleFlight;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Single-flight on the real topology: the topology's dispatcher is {@link SingleFlight} over the
 * recording one; the test plays the provider by publishing the leader's completion into
 * single-flight's sink, whose records (with their headers) are piped into the completions topic.
 */
class SingleFlightTopologyTest {
  private static final SessionSettings SETTINGS =
      new SessionSettings(
          10,
          Duration.ofMinutes(5),
          Duration.ofHours(1),
          Duration.ofMinutes(5),
          Duration.ofMillis(100),
          false);
  private SingleFlight<RecordingDispatcher> flights;
  private final TopologyFixture t =
      new TopologyFixture(
          TopologyFixture.CONFIG + "cache: {ttl: 1m}\n",
          SETTINGS,
          recording -> flights = new SingleFlight<>(new PipeSink(), sink -> recording));

  @AfterEach
  void close() {
    t.close();
  }

  /** Pipes what single-flight publishes into the completions topic, headers included. */
  private final class PipeSink implements CompletionSink {
    @Override
    public void publish(int partition, Completion c) {
      t.completions.pipeInput(new TestRecord<>(c.getSessionId(), c, new RecordHeaders(), t.now()));
    }

    @Override
    public void publishShared(int partition, Completion c, String sharedCallOf) {
      RecordHeaders h = new RecordHeaders();
      h.add(SHARED_CALL_OF, sharedCallOf.getBytes(StandardCharsets.UTF_8));
      t.completions.pipeInput(new TestRecord<>(c.getSessionId(), c, h, t.now()));
    }
  }

  private static Request deterministic(String id, String session, String text) {
    Request r = request(id, session, text);
    r.setParams(new RequestParams(0.0, null, null, List.of(), null, Map.of()));
    return r;
  }

  private void sendTwentyIdentical() {
    IntStream.rangeClosed(1, 20)
        .forEach(i -> t.send(deterministic("r" + i, "s" + i, "What is the capital of France?")));
  }

  @Test
  void givenTwentyIdenticalCacheableRequestsInFlightThenOneCallAnswersAllTwenty() {
    // Given 20 identical cacheable requests of 20 sessions, all in flight at once
    sendTwentyIdentical();

    // Then one provider call is made
    assertThat(t.dispatcher.jobs).hasSize(1);
    DispatchJob leader = t.dispatcher.last();
    assertThat(leader.requestId()).isEqualTo("r1");
    assertThat(leader.flightKey()).isNotNull();

    // When it completes
    flights.completions().publish(leader.partition(), TopologyFixture.completed(leader, "Paris"));

    // Then 20 answers, each with its own request_id, the 19 others marked as sharing r1's call
    List<Response> out = t.responses.readValuesToList();
    assertThat(out).hasSize(20);
    assertThat(out).extracting(Response::getRequestId).doesNotHaveDuplicates().hasSize(20);
    assertThat(out).allSatisfy(r -> assertThat(r.getContent()).isEqualTo("Paris"));
    assertThat(out).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK));
    assertThat(out).filteredOn(r -> r.getSharedCallOf() == null).hasSize(1);
    List<Response> followers = out.stream().filter(r -> r.getSharedCallOf() != null).toList();
    assertThat(followers).hasSize(19);
    assertThat(followers)
        .allSatisfy(
            r -> {
              assertThat(r.getSharedCallOf()).isEqualTo("r1");
              assertThat(r.getAttempts()).isZero();
              assertThat(r.getCostUsd()).isZero();
              assertThat(r.getCacheHit()).isFalse();
              assertThat(r.getProvider()).isEqualTo("sim");
            });
    assertThat(flights.shared()).isEqualTo(19);

    // And usage counts one call, the cache gets one entry, each follower's trace says whose call
    List<Usage> usage = t.usage.readValuesToList();
    assertThat(usage).hasSize(1);
    assertThat(usage.get(0).getRequestId()).isEqualTo("r1");
    assertThat(t.cache.readValuesToList()).hasSize(1);
    List<TraceSpan> spans = t.traces.readValuesToList();
    assertThat(spans)
        .filteredOn(s -> s.getName().equals("request") && s.getRequestId().equals("r7"))
        .singleElement()
        .satisfies(s -> assertThat(s.getAttributes()).containsEntry("shared_call_of", "r1"));
    assertThat(spans)
        .filteredOn(s -> s.getName().equals("provider.call"))
        .extracting(TraceSpan::getRequestId)
        .containsExactly("r1");
  }

  @Test
  void givenFollowersWhenTheSharedAnswerIsInThenEachSessionHistoryHasItsOwnTurn() {
    // Given 20 sessions that asked the same first question, answered by one call
    sendTwentyIdentical();
    DispatchJob leader = t.dispatcher.last();
    flights.completions().publish(leader.partition(), TopologyFixture.completed(leader, "Paris"));

    // When session s5 asks a follow-up
    t.send(deterministic("r5b", "s5", "And of Italy?"));

    // Then its call carries s5's own history: the question and the shared answer
    DispatchJob next = t.dispatcher.last();
    assertThat(next.requestId()).isEqualTo("r5b");
    assertThat(next.messages())
        .extracting(m -> m.getRole() + ":" + m.getContent())
        .containsExactly(
            "user:What is the capital of France?", "assistant:Paris", "user:And of Italy?");
  }

  @Test
  void givenAFailedSharedCallThenEveryFollowerGetsTheSameErrorWithoutAnotherCall() {
    // Given 20 identical requests sharing one call
    sendTwentyIdentical();
    DispatchJob leader = t.dispatcher.last();

    // When the call fails after the dispatcher's retries and fallbacks (a provider 503)
    long now = TopologyFixture.START.toEpochMilli();
    Completion failed =
        Completion.newBuilder()
            .setRequestId(leader.requestId())
            .setSessionId(leader.sessionId())
            .setDispatch(leader.dispatch())
            .setOk(false)
            .setUsage(new TokenUsage(0, 0, 0))
            .setError(new ErrorInfo("provider_error", "sim answered HTTP 503", true, 503, null))
            .setAttempts(
                List.of(
                    new Attempt(
                        "sim", "sim-gpt", now, now + 5, false, 503, "provider_error", 0, 0, 0.0)))
            .build();
    flights.completions().publish(leader.partition(), failed);

    // Then all 20 are answered with that error (retryable, as the provider said), 19 as shared,
    // and no second call is made
    List<Response> out = t.responses.readValuesToList();
    assertThat(out).hasSize(20);
    assertThat(out)
        .allSatisfy(
            r -> {
              assertThat(r.getStatus()).isEqualTo(ResponseStatus.ERROR);
              assertThat(r.getError().getCode()).isEqualTo("provider_error");
              assertThat(r.getError().getRetryable()).isTrue();
            });
    assertThat(out).filteredOn(r -> "r1".equals(r.getSharedCallOf())).hasSize(19);
    assertThat(t.dispatcher.jobs).hasSize(1);
    assertThat(t.cache.readValuesToList()).isEmpty();
  }

  @Test
  void givenTheSharedAnswerIsBackThenALaterIdenticalRequestIsAPlainCacheHit() {
    // Given a shared call answered and cached
    sendTwentyIdentical();
    DispatchJob leader = t.dispatcher.last();
    flights.completions().publish(leader.partition(), TopologyFixture.completed(leader, "Paris"));
    t.responses.readValuesToList();

    // When the same question comes again
    t.send(deterministic("r21", "s21", "What is the capital of France?"));

    // Then it is answered from the cache, not as a shared call
    Response hit = t.responses.readValue();
    assertThat(hit.getRequestId()).isEqualTo("r21");
    assertThat(hit.getCacheHit()).isTrue();
    assertThat(hit.getSharedCallOf()).isNull();
    assertThat(t.dispatcher.jobs).hasSize(1);
  }

  @Test
  void givenRequestsThatAreNotCacheableThenEachMakesItsOwnCall() {
    // Given identical requests without temperature 0 (not deterministic, so not cacheable)
    IntStream.rangeClosed(1, 3).forEach(i -> t.send(request("n" + i, "s" + i, "Tell a joke")));

    // Then each is dispatched on its own
    assertThat(t.dispatcher.jobs).hasSize(3);
    assertThat(t.dispatcher.jobs).allSatisfy(j -> assertThat(j.flightKey()).isNull());
  }
}
