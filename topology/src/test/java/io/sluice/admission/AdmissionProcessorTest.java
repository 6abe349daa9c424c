package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The admission processor alone, on in-memory stores: the sweep and the order of its inputs. */
class AdmissionProcessorTest {
  static {
    io.sluice.schema.AvroTrust.install(); // the serdes do this in the app; here no serde runs
  }

  private static final long NOW = Instant.parse("2026-12-02T12:00:00Z").toEpochMilli();

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MockProcessorContext<String, AdmissionOutcome> context =
      new MockProcessorContext<>();
  private Processor<String, AdmissionInput, String, AdmissionOutcome> processor;

  private void start(TenantLimits tenants, KeyLimits keys) {
    AdmissionSettings settings =
        new AdmissionSettings(true, tenants, keys, 100, Duration.ofMinutes(2), 1, "releases");
    KeyValueStore<String, ScopeState> counters =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AdmissionSupplier.COUNTERS),
                Serdes.String(),
                ScopeStateSerde.serde())
            .withLoggingDisabled()
            .build();
    KeyValueStore<String, InFlight> inFlight =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AdmissionSupplier.IN_FLIGHT),
                Serdes.String(),
                InFlightSerde.serde())
            .withLoggingDisabled()
            .build();
    KeyValueStore<String, String> expiry =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AdmissionSupplier.EXPIRY),
                Serdes.String(),
                Serdes.String())
            .withLoggingDisabled()
            .build();
    for (KeyValueStore<String, ?> s : List.of(counters, inFlight, expiry)) {
      s.init(context.getStateStoreContext(), s);
      context.addStateStore(s);
    }
    context.setCurrentSystemTimeMs(NOW);
    processor = new AdmissionSupplier(settings, new AdmissionMetrics(registry)).get();
    processor.init(context);
  }

  private AdmissionOutcome send(String id, String keyId, Long timeoutMs) {
    Request r =
        Request.newBuilder()
            .setRequestId(id)
            .setSessionId("s-" + id)
            .setTenantId("acme")
            .setKeyId(keyId)
            .setModel("gpt")
            .setMessages(List.of(new ChatMessage("user", "hi", null, null, List.of())))
            .setTimeoutMs(timeoutMs)
            .setCreatedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
            .build();
    context.resetForwards();
    processor.process(new Record<>("acme", new AdmissionInput.RequestIn(r), NOW));
    return context.forwarded().get(0).record().value();
  }

  private void advance(Duration d) {
    context.setCurrentSystemTimeMs(context.currentSystemTimeMs() + d.toMillis());
  }

  private void sweep() {
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(context.currentSystemTimeMs());
  }

  @Test
  void shouldFreeASlotWhoseReleaseNeverComesAMinuteAfterItsDeadline() {
    // Given max_parallel 1 and a request in flight with a 1 s deadline whose release is lost
    start(t -> new Limits(null, null, 1, null, null), KeyLimits.NONE);
    assertThat(send("r0", null, 1_000L)).isInstanceOf(AdmissionOutcome.Admitted.class);
    assertThat(send("r1", null, null)).isInstanceOf(AdmissionOutcome.Refused.class);

    // When the sweep runs before the deadline and a minute after it
    advance(Duration.ofSeconds(30));
    sweep();
    assertThat(send("r2", null, null)).isInstanceOf(AdmissionOutcome.Refused.class);
    advance(Duration.ofSeconds(31));
    sweep();

    // Then the slot is free, and the sweep counted it
    assertThat(send("r3", null, null)).isInstanceOf(AdmissionOutcome.Admitted.class);
    assertThat(registry.get("sluice.admission.slots.expired").counter().count()).isEqualTo(1.0);
  }

  @Test
  void shouldChargeAKeyForUsageThatArrivesAfterTheRelease() {
    // Given a key with a budget of 0.01 USD whose request was admitted and released
    start(t -> Limits.NONE, id -> Optional.of(new Limits(null, null, null, 0.01, "day")));
    assertThat(send("r0", "key-1", null)).isInstanceOf(AdmissionOutcome.Admitted.class);
    processor.process(new Record<>("acme", new AdmissionInput.ReleaseIn("r0"), NOW));

    // When its usage arrives after the release, costing 0.02 USD
    processor.process(
        new Record<>(
            "acme",
            new AdmissionInput.UsageIn(
                new Usage("acme", "r0", "sim", "gpt", "m", 10, 10, 0.02, false, NOW)),
            NOW));

    // Then the key's budget is spent: its next request is refused
    AdmissionOutcome next = send("r1", "key-1", null);
    assertThat(next).isInstanceOf(AdmissionOutcome.Refused.class);
    assertThat(((AdmissionOutcome.Refused) next).response().getError().getCode())
        .isEqualTo("budget_exceeded");
    // and a released request's repeat is not counted again
    processor.process(new Record<>("acme", new AdmissionInput.ReleaseIn("r0"), NOW));
  }

  private void release(String id) {
    processor.process(new Record<>("acme", new AdmissionInput.ReleaseIn(id), NOW));
  }

  private void usage(String id, int promptTokens, int completionTokens) {
    processor.process(
        new Record<>(
            "acme",
            new AdmissionInput.UsageIn(
                new Usage(
                    "acme",
                    id,
                    "sim",
                    "gpt",
                    "m",
                    promptTokens,
                    completionTokens,
                    0.0,
                    false,
                    NOW)),
            NOW));
  }

  @Test
  void shouldKeepAReservationWhoseReleaseOvertakesItsUsage() {
    // Given a tpm of 220 and two requests of 105 tokens each (5 prompt, 100 reserved) admitted
    start(t -> new Limits(null, 220L, null, null, null), KeyLimits.NONE);
    assertThat(send("r0", null, null)).isInstanceOf(AdmissionOutcome.Admitted.class);
    assertThat(send("r1", null, null)).isInstanceOf(AdmissionOutcome.Admitted.class);

    // When r0's release is read before its usage (they are on two topics: either can come first)
    release("r0");

    // Then a request judged in between is refused: r0's tokens still count, as its estimate
    assertThat(send("r2", null, null)).isInstanceOf(AdmissionOutcome.Refused.class);
    // and once its usage comes (10 tokens) it replaces the estimate: 105 + 10 leave room for one
    usage("r0", 5, 5);
    assertThat(send("r3", null, null)).isInstanceOf(AdmissionOutcome.Admitted.class);
    assertThat(send("r4", null, null)).isInstanceOf(AdmissionOutcome.Refused.class);
  }

  @Test
  void shouldGiveBackTheReservationOfARequestAnsweredWithoutUsageAfterAWait() {
    // Given a tpm of 220, two requests admitted, and one of them answered with no provider call
    start(t -> new Limits(null, 220L, null, null, null), KeyLimits.NONE);
    send("r0", null, null);
    send("r1", null, null);
    release("r0");
    sweep();
    assertThat(send("r2", null, null)).isInstanceOf(AdmissionOutcome.Refused.class);

    // When no usage comes within the wait, and the sweep runs
    advance(Duration.ofMillis(Ledger.USAGE_WAIT_MS));
    sweep();

    // Then its reservation is given back
    assertThat(send("r3", null, null)).isInstanceOf(AdmissionOutcome.Admitted.class);
    // and a usage that still comes later is charged in full (5 + 10 over r1's and r3's 210)
    usage("r0", 5, 5);
    advance(Duration.ofSeconds(1));
    KeyValueStore<String, ScopeState> counters = context.getStateStore(AdmissionSupplier.COUNTERS);
    assertThat(counters.get("t:acme").tokens.total(context.currentSystemTimeMs())).isEqualTo(220);
  }

  @Test
  void shouldForgetAReleasedRequestAfterTheGracePeriod() {
    // Given rpm 10 and a request admitted and released
    start(t -> new Limits(10L, null, null, null, null), KeyLimits.NONE);
    send("r0", null, null);
    processor.process(new Record<>("acme", new AdmissionInput.ReleaseIn("r0"), NOW));
    KeyValueStore<String, InFlight> inFlight = context.getStateStore(AdmissionSupplier.IN_FLIGHT);
    assertThat(inFlight.get("r0")).isNotNull();

    // When a minute passes; Then the sweep deletes it, and the expiry index is empty
    advance(Duration.ofSeconds(61));
    sweep();
    assertThat(inFlight.get("r0")).isNull();
    KeyValueStore<String, String> expiry = context.getStateStore(AdmissionSupplier.EXPIRY);
    assertThat(expiry.approximateNumEntries()).isEqualTo(1); // the deadline's, due later
  }

  @Test
  void givenAScopeWithoutAnRpmWhenRequestsComeForTwoMinutesThenItsWindowsKeepOneMinute() {
    // Given a tenant with a tpm only: nothing checks its request window against a limit
    start(t -> new Limits(null, 1_000_000L, null, null, null), KeyLimits.NONE);

    // When a request is admitted (and released) every second for two minutes
    for (int i = 0; i < 120; i++) {
      send("r" + i, null, null);
      release("r" + i);
      advance(Duration.ofSeconds(1));
    }

    // Then its stored state keeps the last minute's buckets only: its record's size is bounded
    KeyValueStore<String, ScopeState> counters = context.getStateStore(AdmissionSupplier.COUNTERS);
    ScopeState st = counters.get("t:acme");
    assertThat(st.requests.buckets).hasSizeLessThanOrEqualTo(SlidingWindow.SECONDS);
    assertThat(st.tokens.buckets).hasSizeLessThanOrEqualTo(SlidingWindow.SECONDS);
    assertThat(st.requests.total(context.currentSystemTimeMs())).isEqualTo(59);
  }
}
