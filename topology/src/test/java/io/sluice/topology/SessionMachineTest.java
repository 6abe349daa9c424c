package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.bounds.RecordLimits;
import io.sluice.dispatch.DispatchJob;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import io.sluice.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The session state machine driven directly, without Kafka: each event comes back as decisions,
 * which these tests carry out on maps as the processor does on its stores.
 */
class SessionMachineTest {
  private static final long NOW = TopologyFixture.START.toEpochMilli();
  private static final GatewayMetrics METRICS = new GatewayMetrics(new SimpleMeterRegistry());

  static {
    io.sluice.schema.AvroTrust.install(); // the serdes do this in the app; here no serde runs
  }

  private final Map<String, PendingRequest> pending = new HashMap<>();
  private final Map<String, SessionState> sessions = new HashMap<>();
  private final RecordingDispatcher dispatcher = new RecordingDispatcher();
  private final SessionStores stores =
      new SessionStores() {
        @Override
        public PendingRequest pending(String requestId) {
          return pending.get(requestId);
        }

        @Override
        public SessionState session(String sessionId) {
          return sessions.get(sessionId);
        }

        @Override
        public Response cached(String key) {
          return null;
        }
      };
  private final SessionMachine machine =
      new SessionMachine(
          dispatcher,
          TopologyFixture.SETTINGS,
          new CacheSettings(false, Duration.ofHours(1), false),
          ToolSettings.disabled(),
          METRICS,
          new OutputBounds(RecordLimits.DEFAULTS, METRICS),
          0,
          stores,
          () -> NOW);
  private final Punctuations punctuations =
      new Punctuations(machine, TopologyFixture.SETTINGS, "0_0");

  private Decisions request(String id, String session) {
    return carryOut(
        machine.onRequest(
            TopologyFixture.request(id, session, "question " + id),
            NOW,
            new TraceIds.Context("trace-" + id, null),
            NOW));
  }

  private Decisions complete(DispatchJob job) {
    return carryOut(
        machine.onCompletion(TopologyFixture.completed(job, "answer to " + job.requestId()), NOW));
  }

  /** What the processor does with the decisions, on the maps. */
  private Decisions carryOut(Decisions d) {
    for (Decisions.Decision x : d.all()) {
      if (x instanceof Decisions.PutPending put) {
        pending.put(put.requestId(), put.pending());
      } else if (x instanceof Decisions.DeletePending delete) {
        pending.remove(delete.requestId());
      } else if (x instanceof Decisions.PutSession put) {
        sessions.put(put.sessionId(), put.session());
      }
    }
    return d;
  }

  private static List<Response> responses(Decisions d) {
    return d.emits().stream()
        .map(Decisions.Emit::out)
        .filter(o -> o instanceof SessionOutput.ResponseOut)
        .map(o -> ((SessionOutput.ResponseOut) o).response())
        .toList();
  }

  private static List<Decisions.Decision> storeWrites(Decisions d) {
    return d.all().stream().filter(x -> !(x instanceof Decisions.Emit)).toList();
  }

  @Test
  void givenAnIdleSessionWhenARequestArrivesThenItIsDispatchedWithOnePendingPut() {
    // Given a session with nothing pending
    // When a request arrives
    Decisions d = request("a1", "a");

    // Then it is dispatched, put once in pending, and its admission span is emitted
    assertThat(dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("a1");
    assertThat(dispatcher.jobs.get(0).dispatch()).isEqualTo(1);
    assertThat(storeWrites(d)).containsExactly(new Decisions.PutPending("a1", pending.get("a1")));
    assertThat(d.emits()).hasSize(1);
    assertThat(((SessionOutput.SpanOut) d.emits().get(0).out()).span().getName())
        .isEqualTo("admission");
  }

  @Test
  void givenAHeadInFlightWhenASecondRequestArrivesThenItWaitsAndIsNotDispatched() {
    // Given a session whose head is in flight
    request("a1", "a");

    // When a second request of the session arrives
    Decisions d = request("a2", "a");

    // Then it is stored as pending but not dispatched: one call in flight per session
    assertThat(dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("a1");
    assertThat(storeWrites(d)).containsExactly(new Decisions.PutPending("a2", pending.get("a2")));
  }

  @Test
  void givenTwoQueuedRequestsWhenTheHeadCompletesThenItIsAnsweredAndTheNextDispatched() {
    // Given two requests of one session, the first in flight
    request("a1", "a");
    request("a2", "a");

    // When the head's completion arrives
    Decisions d = complete(dispatcher.jobs.get(0));

    // Then the head is answered, its turn added to the history and it is deleted from pending,
    // and the next one is dispatched with that history
    assertThat(responses(d)).extracting(Response::getRequestId).containsExactly("a1");
    assertThat(responses(d).get(0).getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(responses(d).get(0).getContent()).isEqualTo("answer to a1");
    assertThat(storeWrites(d))
        .containsExactly(
            new Decisions.PutSession("a", sessions.get("a")),
            new Decisions.DeletePending("a1"),
            new Decisions.PutPending("a2", pending.get("a2")));
    assertThat(dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("a1", "a2");
    assertThat(dispatcher.jobs.get(1).messages())
        .extracting(m -> m.getContent())
        .containsExactly("question a1", "answer to a1", "question a2");
    assertThat(pending).containsOnlyKeys("a2");
  }

  @Test
  void givenAnAnsweredRequestWhenItsCompletionArrivesAgainThenNothingIsDecided() {
    // Given a request answered by its first completion
    request("a1", "a");
    DispatchJob job = dispatcher.jobs.get(0);
    complete(job);

    // When the same completion arrives again (a repeated provider call)
    Decisions d = complete(job);

    // Then the first completion has won: no second answer, no write
    assertThat(d.all()).isEmpty();
  }

  @Test
  void givenAFullDispatcherWhenARequestArrivesThenItWaitsForTheNextTick() {
    // Given a dispatcher with no room
    dispatcher.full = true;

    // When a request arrives
    request("a1", "a");

    // Then it is not dispatched and waits; on the next tick with room it is dispatched again
    assertThat(dispatcher.jobs).isEmpty();
    assertThat(machine.queues().waitingForDispatch()).containsExactly("a");
    dispatcher.full = false;
    carryOut(punctuations.tick(NOW));
    assertThat(dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("a1");
    assertThat(dispatcher.jobs.get(0).dispatch()).isEqualTo(2);
    assertThat(machine.queues().waitingForDispatch()).isEmpty();
  }

  @Test
  void givenAHeadInFlightWhenItsDeadlinePassesThenItIsAnsweredWithTimeoutAndTheNextGoesOut() {
    // Given two requests of one session, the first in flight
    request("a1", "a");
    request("a2", "a");

    // When the tick comes after their deadline (created at NOW, 30 s by default)
    long later = NOW + Duration.ofSeconds(31).toMillis();
    Decisions d = carryOut(punctuations.tick(later));

    // Then both are answered with timeout, in request order, and nothing is left pending
    assertThat(responses(d)).extracting(Response::getRequestId).containsExactly("a1", "a2");
    assertThat(responses(d))
        .allSatisfy(r -> assertThat(r.getError().getCode()).isEqualTo("timeout"));
    assertThat(dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("a1");
    assertThat(pending).isEmpty();
  }
}
