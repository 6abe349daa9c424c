package io.sluice.topology;

import static io.sluice.topology.TopologyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.ErrorInfo;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import io.sluice.events.TraceSpan;
import io.sluice.internal.Attempt;
import io.sluice.internal.Completion;
import io.sluice.schema.ReplyHeaders;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reply path: answers written to the reply topic a request record names. */
class ReplyPathTest {
  private static final String DOOR = "door-replies";
  private static final long START = TopologyFixture.START.toEpochMilli();

  private TopologyFixture t = new TopologyFixture();

  @AfterEach
  void close() {
    t.close();
  }

  @Test
  void shouldWriteTheAnswerToTheReplyTopicWithTheKindHeaderWhenTheRecordNamesOne() {
    // Given a request whose record names a reply topic and partition
    t.sendWithReply(request("r1", "s1", "hello"), DOOR, 3);
    DispatchJob job = t.dispatcher.last();
    assertThat(job.replyTopic()).isEqualTo(DOOR);
    assertThat(job.replyPartition()).isEqualTo(3);

    // When the provider answers
    t.complete(job, "hi there");

    // Then the same Response goes to the responses topic and to the reply topic, with its header
    Response response = t.responses.readValue();
    assertThat(response.getContent()).isEqualTo("hi there");
    assertThat(response.getProviderMs()).isEqualTo(5);
    TestRecord<String, Response> reply = t.replyTopic(DOOR).readRecord();
    assertThat(reply.key()).isEqualTo("s1");
    assertThat(reply.value()).isEqualTo(response);
    assertThat(ReplyHeaders.text(reply.headers(), ReplyHeaders.KIND))
        .isEqualTo(ReplyHeaders.KIND_RESPONSE);
    assertThat(t.responses.isEmpty()).isTrue();
  }

  @Test
  void shouldWriteNoReplyRecordWhenTheRecordNamesNoReplyTopicOrAnIllegalOne() {
    // Given a request without reply headers, and one naming a topic Kafka would refuse
    t.send(request("r1", "s1", "hello"));
    t.sendWithReply(request("r2", "s2", "hello"), "not a topic!", null);

    // When both are answered
    t.complete(t.dispatcher.jobs.get(0), "one");
    t.complete(t.dispatcher.jobs.get(1), "two");

    // Then both are on the responses topic and no job names a reply topic
    assertThat(t.responses.readValuesToList()).hasSize(2);
    assertThat(t.dispatcher.jobs).extracting(DispatchJob::replyTopic).containsOnlyNulls();
    assertThat(t.driver.producedTopicNames()).doesNotContain("not a topic!");
  }

  @Test
  void givenARecordNamingATopicNotListed_whenAnswered_thenOnlyTheResponsesTopicHasTheAnswer() {
    // Given a request naming a topic that is neither topics.replies nor in topics.reply_topics
    // (one that may not exist: writing to it would stall the task), and one naming a listed topic
    t.sendWithReply(request("r1", "s1", "hello"), "somebody-elses-topic", 0);
    t.sendWithReply(request("r2", "s2", "hello"), "other-door", 0);

    // When both are answered
    t.complete(t.dispatcher.jobs.get(0), "one");
    t.complete(t.dispatcher.jobs.get(1), "two");

    // Then the unlisted topic gets nothing, and no chunk would go there either
    assertThat(t.responses.readValuesToList()).hasSize(2);
    assertThat(t.dispatcher.jobs.get(0).replyTopic()).isNull();
    assertThat(t.driver.producedTopicNames()).doesNotContain("somebody-elses-topic");
    assertThat(t.replyTopic("other-door").readValue().getContent()).isEqualTo("two");
  }

  @Test
  void shouldSendAnIngestRejectionToTheReplyTopic() {
    // Given a request for a model that does not exist, naming a reply topic
    Request bad = request("r1", "s1", "hello");
    bad.setModel("no-such-model");

    // When ingest refuses it
    t.sendWithReply(bad, DOOR, 0);

    // Then the REJECTED response is on the responses topic and on the reply topic
    Response rejected = t.responses.readValue();
    assertThat(rejected.getStatus()).isEqualTo(ResponseStatus.REJECTED);
    TestRecord<String, Response> reply = t.replyTopic(DOOR).readRecord();
    assertThat(reply.value()).isEqualTo(rejected);
    assertThat(ReplyHeaders.text(reply.headers(), ReplyHeaders.KIND))
        .isEqualTo(ReplyHeaders.KIND_RESPONSE);
    assertThat(t.dispatcher.jobs).isEmpty();
  }

  @Test
  void shouldSendACacheHitToTheReplyTopic() {
    // Given a cached answer to a deterministic request
    t.close();
    t =
        new TopologyFixture(
            TopologyFixture.CONFIG + "cache: {ttl: 1m}\n", TopologyFixture.SETTINGS);
    t.send(deterministic("r1", "s1", "What is 2+2?"));
    t.complete(t.dispatcher.last(), "4");

    // When the same question comes with a reply topic
    t.sendWithReply(deterministic("r2", "s2", "What is 2+2?"), DOOR, 1);

    // Then the hit is answered there too, with no provider time
    assertThat(t.dispatcher.jobs).hasSize(1);
    Response hit = t.replyTopic(DOOR).readValue();
    assertThat(hit.getRequestId()).isEqualTo("r2");
    assertThat(hit.getCacheHit()).isTrue();
    assertThat(hit.getContent()).isEqualTo("4");
    assertThat(hit.getProviderMs()).isZero();
  }

  @Test
  void shouldAnswerAtTheNewAddressWhenAPendingRequestIsRepeatedFromElsewhere() {
    // Given a request in flight whose answer was to go to one front door's partition
    t.sendWithReply(request("r1", "s1", "hello"), DOOR, 3);
    // and one queued behind it in the same session
    t.sendWithReply(request("r2", "s1", "again"), DOOR, 3);

    // When both are repeated by a client now waiting on another topic
    t.sendWithReply(request("r1", "s1", "hello"), "other-door", 5);
    t.sendWithReply(request("r2", "s1", "again"), "other-door", 5);

    // Then neither is admitted again, and both answers go to the new address only
    assertThat(t.dispatcher.jobs).hasSize(1);
    t.complete(t.dispatcher.last(), "one");
    DispatchJob second = t.dispatcher.last();
    assertThat(second.requestId()).isEqualTo("r2");
    assertThat(second.replyTopic()).isEqualTo("other-door");
    assertThat(second.replyPartition()).isEqualTo(5);
    t.complete(second, "two");
    assertThat(t.replyTopic("other-door").readValuesToList())
        .extracting(Response::getRequestId)
        .containsExactly("r1", "r2");
    assertThat(t.replyTopic(DOOR).isEmpty()).isTrue();
  }

  @Test
  void shouldKeepTheReplyAddressWhenAPendingRequestIsRepeatedWithoutOne() {
    // Given a pending request with a reply address
    t.sendWithReply(request("r1", "s1", "hello"), DOOR, 3);

    // When a producer repeats it without reply headers
    t.send(request("r1", "s1", "hello"));
    t.complete(t.dispatcher.last(), "one");

    // Then the answer still goes to the first address
    assertThat(t.replyTopic(DOOR).readValue().getRequestId()).isEqualTo("r1");
  }

  @Test
  void shouldAnswerStreamInterruptedWithThePartialContentWhenAStreamBreaksAfterItsFirstChunk() {
    // Given a streamed request
    Request r = request("r1", "s1", "tell me a story");
    r.setStream(true);
    t.sendWithReply(r, DOOR, 0);
    DispatchJob job = t.dispatcher.last();
    assertThat(job.streamsChunks()).isTrue();

    // When its stream breaks after three chunks
    t.completions.pipeInput(job.sessionId(), interrupted(job, "Once upon a"));

    // Then the answer is ERROR stream_interrupted, not retryable, holding the partial content
    Response response = t.responses.readValue();
    assertThat(response.getStatus()).isEqualTo(ResponseStatus.ERROR);
    assertThat(response.getError().getCode()).isEqualTo("stream_interrupted");
    assertThat(response.getError().getRetryable()).isFalse();
    assertThat(response.getContent()).isEqualTo("Once upon a");
    assertThat(response.getAttempts()).isEqualTo(1);
    assertThat(response.getUsage().getCompletionTokens()).isEqualTo(3);
    assertThat(response.getProviderMs()).isEqualTo(40);
    assertThat(t.replyTopic(DOOR).readValue()).isEqualTo(response);
    // and the provider call's span has the time to first token
    List<TraceSpan> calls =
        t.traces.readValuesToList().stream()
            .filter(s -> s.getName().equals("provider.call"))
            .toList();
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0).getAttributes()).containsEntry("ttft_ms", "12");
  }

  @Test
  void shouldSumTheAttemptsTimesAsProviderMs() {
    // Given a request answered after a failed first attempt (10 ms) and a good second (30 ms)
    t.send(request("r1", "s1", "hello"));
    DispatchJob job = t.dispatcher.last();
    Completion c = TopologyFixture.completed(job, "hi");
    c.setAttempts(
        List.of(
            new Attempt(
                "sim", "sim-gpt", START, START + 10, false, 503, "provider_error", 0, 0, 0.0),
            new Attempt("sim", "sim-gpt", START + 20, START + 50, true, 200, null, 7, 2, 0.0)));

    // When it completes
    t.completions.pipeInput(job.sessionId(), c);

    // Then provider_ms is the sum of both calls, not the wall time between them
    assertThat(t.responses.readValue().getProviderMs()).isEqualTo(40);
  }

  /** A completion whose stream broke after three chunks: 40 ms, first token after 12 ms. */
  private static Completion interrupted(DispatchJob job, String partial) {
    return Completion.newBuilder()
        .setRequestId(job.requestId())
        .setSessionId(job.sessionId())
        .setDispatch(job.dispatch())
        .setOk(false)
        .setContent(partial)
        .setUsage(new TokenUsage(7, 3, 10))
        .setCostUsd(0.0)
        .setProvider("sim")
        .setProviderModel("sim-gpt")
        .setError(new ErrorInfo("provider_error", "connection reset", true, null, null))
        .setAttempts(
            List.of(
                new Attempt(
                    "sim", "sim-gpt", START, START + 40, false, 200, "provider_error", 7, 3, 0.0)))
        .setStreamedChunks(3)
        .setFirstTokenMs(START + 12)
        .build();
  }

  private static Request deterministic(String id, String session, String text) {
    Request r = request(id, session, text);
    r.setParams(new RequestParams(0.0, null, null, List.of(), null, Map.of()));
    return r;
  }
}
