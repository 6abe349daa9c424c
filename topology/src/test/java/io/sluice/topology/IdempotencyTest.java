package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The repeats room alone, over maps: what it decides for each kind of repeat. */
class IdempotencyTest {
  private static final long NOW = TopologyFixture.START.toEpochMilli();
  private static final Duration WINDOW = Duration.ofMinutes(30);

  private final Map<String, PendingRequest> pending = new HashMap<>();
  private final Map<String, Response> answered = new HashMap<>();
  private final Map<String, Long> answeredAt = new HashMap<>();
  private final SessionQueues queues = new SessionQueues();
  private final SessionStores stores =
      new SessionStores() {
        @Override
        public PendingRequest pending(String requestId) {
          PendingRequest p = pending.get(requestId);
          return p == null ? null : PendingRequest.newBuilder(p).build();
        }

        @Override
        public SessionState session(String sessionId) {
          return null;
        }

        @Override
        public Response cached(String key) {
          return null;
        }

        @Override
        public Response answered(String requestId, long sinceMs) {
          Long at = answeredAt.get(requestId);
          return at != null && at >= sinceMs ? answered.get(requestId) : null;
        }
      };

  private Idempotency room(Duration window) {
    return new Idempotency(window, queues, stores, () -> NOW);
  }

  private static final TraceIds.Context TRACE = new TraceIds.Context("t".repeat(32), null);

  @Test
  void shouldAdmitARequestItHasNotSeen() {
    Decisions d = new Decisions();
    assertThat(room(WINDOW).repeated(request("r1"), null, TRACE, NOW, d)).isFalse();
    assertThat(d.all()).isEmpty();
  }

  @Test
  void shouldStoreANewReplyAddressOfARequestQueuedBehindItsHead() {
    // Given r2 queued behind r1, only in the store
    queues.admit("r1", "s1");
    queues.holdHead("r1", pending("r1", null));
    queues.admit("r2", "s1");
    pending.put("r2", pending("r2", new ReplyAddress("door-a", 1)));

    // When r2 is repeated with another address
    Decisions d = new Decisions();
    boolean repeat =
        room(WINDOW).repeated(request("r2"), new ReplyAddress("door-b", 2), TRACE, NOW, d);

    // Then it is not admitted, and its pending entry is put with the new address
    assertThat(repeat).isTrue();
    assertThat(d.all()).hasSize(1);
    Decisions.PutPending put = (Decisions.PutPending) d.all().get(0);
    assertThat(put.pending().getReplyTopic()).isEqualTo("door-b");
    assertThat(put.pending().getReplyPartition()).isEqualTo(2);
  }

  @Test
  void shouldChangeNothingWhenAPendingRepeatNamesTheSameAddress() {
    queues.admit("r1", "s1");
    queues.holdHead("r1", pending("r1", new ReplyAddress("door-a", 1)));

    Decisions d = new Decisions();
    boolean repeat =
        room(WINDOW).repeated(request("r1"), new ReplyAddress("door-a", 1), TRACE, NOW, d);

    assertThat(repeat).isTrue();
    assertThat(d.all()).isEmpty();
  }

  @Test
  void shouldReplayAnAnswerWithinTheWindowAndNotOneBefore() {
    answered.put("r1", answer("r1"));
    answeredAt.put("r1", NOW - WINDOW.toMillis());
    answered.put("r2", answer("r2"));
    answeredAt.put("r2", NOW - WINDOW.toMillis() - 1);

    Decisions within = new Decisions();
    Decisions before = new Decisions();
    assertThat(room(WINDOW).repeated(request("r1"), null, TRACE, NOW, within)).isTrue();
    assertThat(room(WINDOW).repeated(request("r2"), null, TRACE, NOW, before)).isFalse();

    assertThat(within.emits())
        .extracting(e -> e.out().getClass().getSimpleName())
        .containsExactly("SpanOut", "ResponseOut", "ReleaseOut");
    // the release frees a parallel slot admission may have taken for the repeat
    assertThat(within.emits().get(2).key()).isEqualTo("acme");
    Response replay = ((SessionOutput.ResponseOut) within.emits().get(1).out()).response();
    assertThat(replay.getReplayed()).isTrue();
    assertThat(replay.getRespondedAt()).isEqualTo(NOW);
    assertThat(replay.getTraceId()).isEqualTo(TRACE.traceId());
    assertThat(before.all()).isEmpty();
  }

  @Test
  void shouldRememberAnswersOnlyWithAWindowAndNeverAReplay() {
    Decisions on = new Decisions();
    room(WINDOW).remember(answer("r1"), NOW, on);
    Response replayed = answer("r2");
    replayed.setReplayed(true);
    room(WINDOW).remember(replayed, NOW, on);
    Decisions off = new Decisions();
    room(Duration.ZERO).remember(answer("r3"), NOW, off);

    assertThat(on.all())
        .extracting(x -> ((Decisions.PutAnswered) x).requestId())
        .containsExactly("r1");
    assertThat(off.all()).isEmpty();
  }

  private static Request request(String id) {
    return TopologyFixture.request(id, "s1", "hello");
  }

  private static PendingRequest pending(String id, ReplyAddress reply) {
    return PendingRequest.newBuilder()
        .setRequest(request(id))
        .setAcceptedAtMs(NOW)
        .setCreatedAtMs(NOW)
        .setDeadlineMs(NOW + 30_000)
        .setTraceId("t".repeat(32))
        .setRootSpanId("s".repeat(16))
        .setReplyTopic(reply == null ? null : reply.topic())
        .setReplyPartition(reply == null ? null : reply.partition())
        .build();
  }

  private static Response answer(String id) {
    return Response.newBuilder()
        .setRequestId(id)
        .setSessionId("s1")
        .setTenantId("acme")
        .setStatus(ResponseStatus.OK)
        .setModel("gpt")
        .setContent("hi")
        .setToolCalls(List.of())
        .setUsage(new TokenUsage(1, 1, 2))
        .setAttempts(1)
        .setTraceId("o".repeat(32))
        .setRespondedAt(NOW - 1000)
        .build();
  }
}
