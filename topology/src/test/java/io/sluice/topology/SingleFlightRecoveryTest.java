package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.Response;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import io.sluice.singleflight.SingleFlight;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Followers of a shared call are durable: they are pending in their task's store like any
 * dispatched request. These tests lose an instance (its processor and its single-flight) while a
 * call is shared, start a new one on the same stores, and check that every request is answered.
 */
class SingleFlightRecoveryTest {
  private static final long NOW = TopologyFixture.START.toEpochMilli();
  private static final io.sluice.metrics.GatewayMetrics METRICS =
      new io.sluice.metrics.GatewayMetrics(
          new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

  private KeyValueStore<String, SessionState> sessions;
  private KeyValueStore<String, PendingRequest> pending;
  private KeyValueStore<String, Response> cache;

  @BeforeEach
  void stores() {
    EventSerdes serdes = EventSerdes.of(io.sluice.schema.registry.CatalogSchemaRegistry.bundled());
    sessions = store(SessionProcessorSupplier.SESSIONS, serdes.session());
    pending = store(SessionProcessorSupplier.PENDING, serdes.pending());
    cache = store(CacheStoreUpdater.STORE, serdes.response());
  }

  private static <V> KeyValueStore<String, V> store(
      String name, org.apache.kafka.common.serialization.Serde<V> serde) {
    return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), serde)
        .withLoggingDisabled()
        .build();
  }

  /** An instance: a processor on the shared stores behind its own single-flight dispatcher. */
  private final class Instance {
    final MockProcessorContext<String, SessionOutput> context = new MockProcessorContext<>();
    final RecordingDispatcher calls = new RecordingDispatcher();
    final SingleFlight<RecordingDispatcher> flights =
        new SingleFlight<>(
            new io.sluice.dispatch.CompletionSink() {
              @Override
              public void publish(int partition, io.sluice.internal.Completion c) {
                deliver(c, null);
              }

              @Override
              public void publishShared(
                  int partition, io.sluice.internal.Completion c, String sharedCallOf) {
                deliver(c, sharedCallOf);
              }
            },
            sink -> calls);
    final SessionProcessor processor =
        new SessionProcessor(
            flights,
            TopologyFixture.SETTINGS,
            new CacheSettings(true, Duration.ofHours(1), true),
            ToolSettings.disabled(),
            METRICS,
            new OutputBounds(io.sluice.bounds.RecordLimits.DEFAULTS, METRICS));

    Instance() {
      context.setCurrentSystemTimeMs(NOW);
      for (KeyValueStore<String, ?> s : List.of(sessions, pending, cache)) {
        s.init(context.getStateStoreContext(), s);
        context.addStateStore(s);
      }
      processor.init(context);
    }

    void deliver(io.sluice.internal.Completion c, String sharedCallOf) {
      org.apache.kafka.common.header.internals.RecordHeaders h =
          new org.apache.kafka.common.header.internals.RecordHeaders();
      if (sharedCallOf != null) {
        h.add(
            io.sluice.dispatch.CompletionSink.SHARED_CALL_OF,
            sharedCallOf.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      processor.process(new Record<>(c.getSessionId(), new SessionInput.CompletionIn(c), NOW, h));
    }

    List<Response> responses() {
      return context.forwarded().stream()
          .map(f -> f.record().value())
          .filter(v -> v instanceof SessionOutput.ResponseOut)
          .map(v -> ((SessionOutput.ResponseOut) v).response())
          .toList();
    }

    void request(String id, String session) {
      Request r = TopologyFixture.request(id, session, "the same question");
      r.setParams(new RequestParams(0.0, null, null, List.of(), null, Map.of()));
      processor.process(new Record<>(session, new SessionInput.RequestIn(r), NOW));
    }

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
  void givenASharedCallWhenItsInstanceDiesThenTheNextInstanceAnswersEveryRequestWithOneCall() {
    // Given five identical requests sharing one call on an instance
    Instance first = new Instance();
    for (int i = 1; i <= 5; i++) {
      first.request("r" + i, "s" + i);
    }
    assertThat(first.calls.jobs).hasSize(1);
    assertThat(pending.approximateNumEntries()).as("leader and followers are stored").isEqualTo(5);

    // When the instance dies before the call ends, and another starts on the same stores
    Instance second = new Instance();
    second.tick();

    // Then the five are dispatched again as one shared call, and all five are answered
    assertThat(second.calls.jobs).hasSize(1);
    DispatchJob leader = second.calls.last();
    second
        .flights
        .completions()
        .publish(leader.partition(), TopologyFixture.completed(leader, "42"));
    assertThat(second.answered()).containsExactlyInAnyOrder("r1", "r2", "r3", "r4", "r5");
    assertThat(second.responses())
        .filteredOn(r -> leader.requestId().equals(r.getSharedCallOf()))
        .hasSize(4);
    assertThat(pending.approximateNumEntries()).as("nothing left pending").isZero();
  }
}
