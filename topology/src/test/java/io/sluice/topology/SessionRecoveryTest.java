package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The session processor keeps its queues in memory and rebuilds them from the {@code pending} store
 * when it starts: these tests start a second processor on the first one's stores, as after a crash
 * or a rebalance, and check that every session keeps its order.
 */
class SessionRecoveryTest {
  private static final long NOW = TopologyFixture.START.toEpochMilli();

  private final SessionSettings settings = TopologyFixture.SETTINGS;
  private KeyValueStore<String, SessionState> sessions;
  private KeyValueStore<String, PendingRequest> pending;

  @BeforeEach
  void stores() {
    EventSerdes serdes = EventSerdes.of(io.sluice.schema.registry.CatalogSchemaRegistry.bundled());
    sessions =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(SessionProcessorSupplier.SESSIONS),
                Serdes.String(),
                serdes.session())
            .withLoggingDisabled()
            .build();
    pending =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(SessionProcessorSupplier.PENDING),
                Serdes.String(),
                serdes.pending())
            .withLoggingDisabled()
            .build();
  }

  private static final io.sluice.metrics.GatewayMetrics METRICS =
      new io.sluice.metrics.GatewayMetrics(
          new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

  /** A processor started on the shared stores, with its own dispatcher. */
  private final class Started {
    final RecordingDispatcher dispatcher = new RecordingDispatcher();
    final MockProcessorContext<String, SessionOutput> context = new MockProcessorContext<>();
    final SessionProcessor processor =
        new SessionProcessor(
            dispatcher,
            settings,
            new CacheSettings(false, Duration.ofHours(1), false),
            ToolSettings.disabled(),
            METRICS,
            new OutputBounds(io.sluice.bounds.RecordLimits.DEFAULTS, METRICS));

    Started() {
      context.setCurrentSystemTimeMs(NOW);
      sessions.init(context.getStateStoreContext(), sessions);
      pending.init(context.getStateStoreContext(), pending);
      context.addStateStore(sessions);
      context.addStateStore(pending);
      processor.init(context);
    }

    void request(String id, String session, boolean useHistory) {
      Request r = TopologyFixture.request(id, session, "question " + id);
      r.setUseHistory(useHistory);
      processor.process(new Record<>(session, new SessionInput.RequestIn(r), NOW));
    }

    void complete(DispatchJob job) {
      processor.process(
          new Record<>(
              job.sessionId(),
              new SessionInput.CompletionIn(
                  TopologyFixture.completed(job, "answer to " + job.requestId())),
              NOW));
    }

    /** Runs the tick punctuator once, as the wall clock would. */
    void tick() {
      context.scheduledPunctuators().get(0).getPunctuator().punctuate(NOW);
    }

    List<String> answered() {
      return context.forwarded().stream()
          .map(f -> f.record().value())
          .filter(v -> v instanceof SessionOutput.ResponseOut)
          .map(v -> ((SessionOutput.ResponseOut) v).response().getRequestId())
          .toList();
    }
  }

  @Test
  void givenQueuedSessionsWhenAProcessorStartsOnTheSameStoresThenEachSessionIsAnsweredInOrder() {
    // Given two sessions with three requests each, the heads dispatched, then the processor lost
    Started first = new Started();
    for (String id : List.of("a1", "b1", "a2", "b2", "a3", "b3")) {
      first.request(id, id.substring(0, 1), false);
    }
    assertThat(first.dispatcher.jobs)
        .extracting(DispatchJob::requestId)
        .containsExactly("a1", "b1");

    // When a new processor starts on the same stores
    Started second = new Started();
    second.tick();

    // Then it dispatches both heads again, and each completion brings the next turn in order
    assertThat(second.dispatcher.jobs)
        .extracting(DispatchJob::requestId)
        .containsExactlyInAnyOrder("a1", "b1");
    for (int i = 0; i < 6; i++) {
      second.complete(second.dispatcher.jobs.get(i));
    }
    assertThat(second.answered()).containsExactly("a1", "b1", "a2", "b2", "a3", "b3");
    assertThat(pending.approximateNumEntries()).as("nothing left pending").isZero();
  }

  @Test
  void givenARequestWithoutHistoryWhenItIsAnsweredThenTheSessionsStoreIsNeverWritten() {
    Started p = new Started();

    p.request("r1", "s1", false);
    assertThat(pending.get("r1")).as("stored while its call runs").isNotNull();
    p.complete(p.dispatcher.last());

    assertThat(p.answered()).containsExactly("r1");
    assertThat(pending.get("r1")).isNull();
    assertThat(sessions.approximateNumEntries()).isZero();
  }

  @Test
  void givenAConversationWithHistoryWhenAProcessorStartsAgainThenTheNextTurnCarriesIt() {
    Started first = new Started();
    first.request("t1", "s1", true);
    first.complete(first.dispatcher.last());

    Started second = new Started();
    second.request("t2", "s1", true);

    assertThat(second.dispatcher.last().messages())
        .extracting(ChatMessage::getContent)
        .containsExactly("question t1", "answer to t1", "question t2");
  }

  @Test
  void givenPendingRequestsFromBeforeTheSequenceWhenTheProcessorStartsThenTheStoredQueueOrders() {
    // Given records of an earlier version: no seq, the same acceptance time, the order in the
    // session's stored queue
    new Started(); // opens the stores
    for (String id : List.of("x1", "x2", "x3")) {
      pending.put(
          id,
          PendingRequest.newBuilder()
              .setRequest(TopologyFixture.request(id, "old", "question " + id))
              .setAcceptedAtMs(NOW)
              .setCreatedAtMs(NOW)
              .setDeadlineMs(NOW + 30_000)
              .setTraceId("0af7651916cd43dd8448eb211c80319c")
              .setRootSpanId("b7ad6b7169203331")
              .build());
    }
    sessions.put("old", new SessionState(List.of("x3", "x1", "x2"), List.of(), 0L, NOW));

    // When the processor starts
    Started p = new Started();
    p.tick();
    for (int i = 0; i < 3; i++) {
      p.complete(p.dispatcher.jobs.get(i));
    }

    // Then it answers in the stored queue's order
    assertThat(p.answered()).containsExactly("x3", "x1", "x2");
  }
}
