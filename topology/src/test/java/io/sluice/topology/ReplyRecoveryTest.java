package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import io.sluice.schema.ReplyHeaders;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reply address and the answered requests live in the stores: a second processor started on the
 * first one's stores, as after a crash or a rebalance, answers where the first would have.
 */
class ReplyRecoveryTest {
  private static final long NOW = TopologyFixture.START.toEpochMilli();
  private static final SessionSettings SETTINGS =
      TopologyFixture.SETTINGS.withIdempotencyWindow(Duration.ofHours(1));
  private static final io.sluice.metrics.GatewayMetrics METRICS =
      new io.sluice.metrics.GatewayMetrics(
          new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

  private KeyValueStore<String, SessionState> sessions;
  private KeyValueStore<String, PendingRequest> pending;
  private WindowStore<String, Response> answered;

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
    answered =
        Stores.windowStoreBuilder(
                Stores.inMemoryWindowStore(
                    SessionProcessorSupplier.ANSWERED,
                    SETTINGS.idempotencyWindow(),
                    Duration.ofMillis(1),
                    false),
                Serdes.String(),
                serdes.response())
            .withLoggingDisabled()
            .build();
  }

  /** A processor started on the shared stores, with its own dispatcher. */
  private final class Started {
    final RecordingDispatcher dispatcher = new RecordingDispatcher();
    final MockProcessorContext<String, SessionOutput> context = new MockProcessorContext<>();
    final SessionProcessor processor =
        new SessionProcessor(
            dispatcher,
            SETTINGS,
            new CacheSettings(false, Duration.ofHours(1), false),
            ToolSettings.disabled(),
            METRICS,
            new OutputBounds(io.sluice.bounds.RecordLimits.DEFAULTS, METRICS));

    Started() {
      context.setCurrentSystemTimeMs(NOW);
      sessions.init(context.getStateStoreContext(), sessions);
      pending.init(context.getStateStoreContext(), pending);
      answered.init(context.getStateStoreContext(), answered);
      context.addStateStore(sessions);
      context.addStateStore(pending);
      context.addStateStore(answered);
      processor.init(context);
    }

    void request(String id, String session, String replyTopic, int replyPartition) {
      Request r = TopologyFixture.request(id, session, "question " + id);
      RecordHeaders h = new RecordHeaders();
      h.add(ReplyHeaders.TOPIC, ReplyHeaders.bytes(replyTopic));
      h.add(ReplyHeaders.PARTITION, ReplyHeaders.bytes(String.valueOf(replyPartition)));
      processor.process(new Record<>(session, new SessionInput.RequestIn(r), NOW, h));
    }

    void complete(DispatchJob job) {
      processor.process(
          new Record<>(
              job.sessionId(),
              new SessionInput.CompletionIn(TopologyFixture.completed(job, "answer")),
              NOW));
    }

    void tick() {
      context.scheduledPunctuators().get(0).getPunctuator().punctuate(NOW);
    }

    List<SessionOutput.ReplyOut> replies() {
      return context.forwarded().stream()
          .map(f -> f.record().value())
          .filter(v -> v instanceof SessionOutput.ReplyOut)
          .map(v -> (SessionOutput.ReplyOut) v)
          .toList();
    }
  }

  @Test
  void givenAQueuedRequestWithAReplyAddressWhenAProcessorStartsOnTheStoresThenItAnswersThere() {
    // Given a head and a request queued behind it, each naming a reply partition
    Started first = new Started();
    first.request("r1", "s1", "door-a", 1);
    first.request("r2", "s1", "door-b", 2);

    // When another processor takes over and both are answered
    Started second = new Started();
    second.tick();
    DispatchJob head = second.dispatcher.last();
    assertThat(head.replyTopic()).isEqualTo("door-a");
    second.complete(head);
    DispatchJob next = second.dispatcher.last();
    second.complete(next);

    // Then each job and each answer kept its address
    assertThat(next.replyTopic()).isEqualTo("door-b");
    assertThat(next.replyPartition()).isEqualTo(2);
    assertThat(second.replies())
        .extracting(SessionOutput.ReplyOut::topic, SessionOutput.ReplyOut::partition)
        .containsExactly(
            org.assertj.core.api.Assertions.tuple("door-a", 1),
            org.assertj.core.api.Assertions.tuple("door-b", 2));
  }

  @Test
  void givenAnAnsweredRequestWhenAProcessorStartsOnTheStoresThenARepeatIsReplayed() {
    // Given a request answered by a processor since lost
    Started first = new Started();
    first.request("r1", "s1", "door-a", 1);
    first.complete(first.dispatcher.last());

    // When it is repeated to the processor that took over
    Started second = new Started();
    second.request("r1", "s1", "door-c", 0);

    // Then the repeat gets the first answer, without a call
    assertThat(second.dispatcher.jobs).isEmpty();
    assertThat(second.replies())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.topic()).isEqualTo("door-c");
              assertThat(r.response().getReplayed()).isTrue();
              assertThat(r.response().getContent()).isEqualTo("answer");
            });
  }
}
