package io.sluice.admission;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The admission processor, keyed by tenant_id: one task owns all of a tenant's counters, whatever
 * instance runs it, so a limit holds across every instance together. Its inputs are the requests
 * (repartitioned by tenant), the usage topic and the session processor's releases, co-partitioned;
 * its outputs, keyed by session_id with the request's headers, are {@link AdmissionOutcome}s. A
 * wall-clock punctuator sweeps expired entries and refreshes the tenants' gauges.
 */
public final class AdmissionSupplier
    implements ProcessorSupplier<String, AdmissionInput, String, AdmissionOutcome> {
  /** Per scope ({@code t:<tenant>}, {@code k:<key>}): windows, in flight, spend. */
  public static final String COUNTERS = "admission-counters";

  /** Per request_id: what an admitted request was counted as. */
  public static final String IN_FLIGHT = "admission-in-flight";

  /** By time: when an in-flight entry is due to be checked. */
  public static final String EXPIRY = "admission-expiry";

  static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

  private final AdmissionSettings settings;
  private final AdmissionMetrics metrics;

  public AdmissionSupplier(AdmissionSettings settings, AdmissionMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    // The counters and the requests in flight are cached: a tenant's state is written at every
    // admission and release, and a request's entry two or three times within a second or so;
    // the cache sends the changelog (and RocksDB) the last value of each per commit instead of
    // every write. The expiry index is not: its puts and deletes are seconds apart.
    return Set.of(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(COUNTERS), Serdes.String(), ScopeStateSerde.serde())
            .withCachingEnabled(),
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(IN_FLIGHT), Serdes.String(), InFlightSerde.serde())
            .withCachingEnabled(),
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(EXPIRY), Serdes.String(), Serdes.String()));
  }

  @Override
  public Processor<String, AdmissionInput, String, AdmissionOutcome> get() {
    return new AdmissionProcessor();
  }

  private final class AdmissionProcessor
      implements Processor<String, AdmissionInput, String, AdmissionOutcome> {
    private ProcessorContext<String, AdmissionOutcome> context;
    private Ledger ledger;
    private final Set<String> tenants = new HashSet<>();

    @Override
    public void init(ProcessorContext<String, AdmissionOutcome> context) {
      this.context = context;
      this.ledger =
          new Ledger(
              context.getStateStore(COUNTERS),
              context.getStateStore(IN_FLIGHT),
              context.getStateStore(EXPIRY),
              settings,
              metrics,
              tenants);
      context.schedule(
          SWEEP_INTERVAL,
          PunctuationType.WALL_CLOCK_TIME,
          now -> {
            ledger.sweep(now);
            ledger.gauges(now);
          });
    }

    @Override
    public void process(Record<String, AdmissionInput> record) {
      long now = context.currentSystemTimeMs();
      AdmissionInput in = record.value();
      if (in instanceof AdmissionInput.RequestIn r) {
        Optional<Refusal> no = ledger.admit(r.request(), now);
        AdmissionOutcome out =
            no.isEmpty()
                ? new AdmissionOutcome.Admitted(r.request())
                : new AdmissionOutcome.Refused(no.get().response(r.request(), now));
        context.forward(record.withKey(r.request().getSessionId()).withValue(out));
      } else if (in instanceof AdmissionInput.UsageIn u) {
        ledger.charge(u.usage(), now);
      } else if (in instanceof AdmissionInput.ReleaseIn rel) {
        ledger.release(rel.requestId(), now);
      }
    }

    @Override
    public void close() {
      metrics.forget(tenants);
    }
  }
}
