package io.sluice.topology;

import io.sluice.admission.AdmissionInput;
import io.sluice.admission.AdmissionMetrics;
import io.sluice.admission.AdmissionOutcome;
import io.sluice.admission.AdmissionSettings;
import io.sluice.admission.AdmissionSupplier;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.Usage;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The tenant admission stage between ingest and the session processor (when {@link
 * AdmissionSettings#enabled()}):
 *
 * <pre>
 * accepted ─ by tenant ─ repartition requests-by-tenant ─┐
 * usage (keyed by tenant) ───────────────────────────────┼─ admission ─┬─ admitted ─ repartition
 * releases (keyed by tenant, from the session processor) ┘             │   requests-by-session ─► session
 *                                                                      └─ refused ─► rejected (responses, replies)
 * </pre>
 *
 * All three inputs have the usage topic's partition count, so a tenant's requests, usage and
 * releases meet in one task.
 */
final class AdmissionStage {
  private AdmissionStage() {}

  /** The repartition topic of accepted requests keyed by tenant_id. */
  static final String BY_TENANT = "requests-by-tenant";

  record Wired(KStream<String, Request> admitted, KStream<String, IngestOutcome> refused) {}

  static Wired wire(
      StreamsBuilder builder,
      KStream<String, Request> accepted,
      TopologySpec spec,
      AdmissionSettings a) {
    TopologySpec.Topics t = spec.topics();
    EventSerdes serdes = spec.serdes();
    KStream<String, AdmissionInput> requests =
        accepted
            .selectKey((k, r) -> Answers.tenantKey(r.getTenantId()), Named.as("tenant-key"))
            .repartition(
                Repartitioned.with(Serdes.String(), serdes.request())
                    .withName(BY_TENANT)
                    .withNumberOfPartitions(a.partitions()))
            .mapValues(
                r -> (AdmissionInput) new AdmissionInput.RequestIn(r),
                Named.as("admission-request-in"));
    KStream<String, AdmissionInput> usage =
        builder.stream(
                t.usage(), Consumed.with(Serdes.String(), serdes.usage()).withName("usage-source"))
            .mapValues(
                (Usage u) -> (AdmissionInput) new AdmissionInput.UsageIn(u),
                Named.as("admission-usage-in"));
    KStream<String, AdmissionInput> releases =
        builder.stream(
                a.releasesTopic(),
                Consumed.with(Serdes.String(), Serdes.String()).withName("releases-source"))
            .mapValues(
                id -> (AdmissionInput) new AdmissionInput.ReleaseIn(id),
                Named.as("admission-release-in"));
    Map<String, KStream<String, AdmissionOutcome>> decided =
        requests
            .merge(usage, Named.as("admission-inputs"))
            .merge(releases, Named.as("admission-inputs-with-releases"))
            .process(
                new AdmissionSupplier(a, new AdmissionMetrics(spec.metrics().registry())),
                Named.as("admission"))
            .split(Named.as("admission-"))
            .branch((k, v) -> v instanceof AdmissionOutcome.Admitted, Branched.as("admitted"))
            .defaultBranch(Branched.as("refused"));
    KStream<String, Request> admitted =
        decided
            .get("admission-admitted")
            .mapValues(v -> ((AdmissionOutcome.Admitted) v).request(), Named.as("admitted-request"))
            .repartition(
                Repartitioned.with(Serdes.String(), serdes.request())
                    .withName(GatewayTopology.REKEYED)
                    .withNumberOfPartitions(a.partitions()));
    KStream<String, IngestOutcome> refused =
        decided
            .get("admission-refused")
            .processValues(() -> new RefusalReplies(spec), Named.as("admission-refusal"));
    return new Wired(admitted, refused);
  }

  /** The session processor's releases, to the releases topic keyed by tenant. */
  static void releases(KStream<String, SessionOutput> out, AdmissionSettings a) {
    out.mapValues(v -> ((SessionOutput.ReleaseOut) v).requestId(), Named.as("release-value"))
        .to(
            a.releasesTopic(),
            Produced.with(Serdes.String(), Serdes.String()).withName("releases-sink"));
  }

  /**
   * A refusal as ingest's rejections are: with the trace id of its record's {@code traceparent} and
   * the reply address its record named, counted as a REJECTED response.
   */
  private static final class RefusalReplies
      implements FixedKeyProcessor<String, AdmissionOutcome, IngestOutcome> {
    private final TopologySpec spec;
    private FixedKeyProcessorContext<String, IngestOutcome> context;

    RefusalReplies(TopologySpec spec) {
      this.spec = spec;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, IngestOutcome> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, AdmissionOutcome> record) {
      Response r = ((AdmissionOutcome.Refused) record.value()).response();
      r.setTraceId(TraceIds.of(record.headers()).traceId());
      spec.metrics().response(r.getModel(), null, "REJECTED", false, r.getLatencyMs());
      context.forward(
          record.withValue(
              new IngestOutcome.Rejected(
                  r, spec.topics().replyTopics().address(record.headers()))));
    }
  }
}
