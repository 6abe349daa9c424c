package io.sluice.topology;

import io.sluice.admission.AdmissionSettings;
import io.sluice.events.Request;
import io.sluice.events.ToolResult;
import io.sluice.internal.Completion;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The gateway's topology, built in one pure function from a {@link TopologySpec}: no Kafka client,
 * no I/O. Every processor, store and internal topic has an explicit name, so changelog and
 * repartition topics keep their names when the topology changes.
 *
 * <pre>
 * requests (bytes) ─ ingest ─┬─ dead letter ──────────────────────────────► dlq
 *                            ├─ rejected ─────────────────────────────────► responses
 *                            │          └─ with a reply address ──────────► reply topics
 *                            ├─ keyed by session ─────────┐
 *                            └─ other key ─ repartition ──┤
 * completions ───────────────────────────────────────────┴─ session ─┬─► responses
 *                               (stores: sessions, pending, answered) ├─► reply topics
 *                                                                     ├─► traces
 * cache ─► global store "cache" (read by session) ────────────────────├─► usage
 *                                                                     └─► cache
 * </pre>
 *
 * With limits, the accepted requests pass the tenant admission stage on their way to the session
 * processor, and its refusals join ingest's rejections (see {@link AdmissionStage}).
 *
 * <p>Ingest has a store of its own, {@code ingest-awaiting-schema}: requests held while the
 * registry is asked for a schema id the gateway has not seen.
 */
public final class GatewayTopology {
  private GatewayTopology() {}

  /** The repartition topic of requests keyed by something other than their session. */
  static final String REKEYED = "requests-by-session";

  /**
   * Start-up I/O, before the streams start, so that the stream threads never wait on the registry
   * for what can be known in advance: registers every schema the gateway writes under every topic
   * it writes it to (its store changelogs and its repartition topic included: Kafka Streams names
   * them {@code <application.id>-<name>-changelog} and {@code -repartition}), and fetches every
   * version already registered for the topics it reads from other writers. A schema id first seen
   * later on the requests topic is fetched without blocking (see {@link IngestSupplier}).
   */
  public static void prepareSchemas(
      EventSerdes serdes, TopologySpec.Topics t, String applicationId) {
    serdes.response().register(t.responses());
    serdes.response().register(t.cache());
    serdes.replies().register(t.replies());
    serdes.traceSpan().register(t.traces());
    serdes.usage().register(t.usage());
    serdes.completion().register(t.completions());
    serdes.toolCall().register(t.toolCalls());
    serdes.toolResult().register(t.toolResults());
    String internal = applicationId + "-";
    serdes.request().register(internal + REKEYED + "-repartition");
    serdes.request().register(internal + AdmissionStage.BY_TENANT + "-repartition");
    serdes.session().register(internal + SessionProcessorSupplier.SESSIONS + "-changelog");
    serdes.pending().register(internal + SessionProcessorSupplier.PENDING + "-changelog");
    // the answered requests of the idempotency window: Responses, with the Response schema
    serdes.response().register(internal + SessionProcessorSupplier.ANSWERED + "-changelog");
    serdes.request().fetchRegistered(t.requests());
    serdes.toolResult().fetchRegistered(t.toolResults());
  }

  public static Topology build(TopologySpec spec) {
    return build(spec, AdmissionSettings.OFF);
  }

  /**
   * The topology with the tenant admission stage between ingest and the session processor when
   * {@code admission} is enabled ({@link AdmissionStage}); without it, exactly as before.
   */
  public static Topology build(TopologySpec spec, AdmissionSettings admission) {
    TopologySpec.Topics t = spec.topics();
    EventSerdes serdes = spec.serdes();
    StreamsBuilder builder = new StreamsBuilder();

    if (spec.cache().enabled()) {
      builder.addGlobalStore(
          Stores.keyValueStoreBuilder(
                  Stores.persistentKeyValueStore(CacheStoreUpdater.STORE),
                  Serdes.String(),
                  serdes.response())
              .withLoggingDisabled(),
          t.cache(),
          Consumed.with(Serdes.String(), serdes.response()).withName("cache-source"),
          CacheStoreUpdater::new);
    }

    KStream<String, IngestOutcome> ingested =
        builder.stream(
                t.requests(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("requests-source"))
            .process(
                new IngestSupplier(
                    serdes.request(),
                    new RequestValidator(spec.models(), spec.tenants(), spec.requestLimits()),
                    new IngestBounds(spec.limits()),
                    spec.metrics(),
                    t.replyTopics(),
                    spec.keys(),
                    new IngestPii(spec.pii(), spec.metrics().registry())),
                Named.as("ingest"));
    Map<String, KStream<String, IngestOutcome>> routes =
        ingested
            .split(Named.as("ingest-"))
            .branch((k, v) -> v instanceof IngestOutcome.DeadLetter, Branched.as("dead-letter"))
            .branch((k, v) -> v instanceof IngestOutcome.Rejected, Branched.as("rejected"))
            .branch((k, v) -> ((IngestOutcome.Accepted) v).direct(), Branched.as("keyed"))
            .defaultBranch(Branched.as("rekey"));

    routes
        .get("ingest-dead-letter")
        .map(
            (k, v) ->
                KeyValue.pair(
                    ((IngestOutcome.DeadLetter) v).key(), ((IngestOutcome.DeadLetter) v).value()),
            Named.as("dead-letter-bytes"))
        .to(t.dlq(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("dlq-sink"));
    KStream<String, IngestOutcome> rejected = routes.get("ingest-rejected");
    KStream<String, Request> keyed =
        routes
            .get("ingest-keyed")
            .mapValues(v -> ((IngestOutcome.Accepted) v).request(), Named.as("keyed-request"));
    KStream<String, Request> sessionRequests;
    if (admission.enabled()) {
      KStream<String, Request> accepted =
          keyed.merge(
              routes
                  .get("ingest-rekey")
                  .mapValues(
                      v -> ((IngestOutcome.Accepted) v).request(), Named.as("rekey-request")),
              Named.as("accepted-merge"));
      AdmissionStage.Wired stage = AdmissionStage.wire(builder, accepted, spec, admission);
      rejected = rejected.merge(stage.refused(), Named.as("rejected-merge"));
      sessionRequests = stage.admitted();
    } else {
      KStream<String, Request> rekeyed =
          routes
              .get("ingest-rekey")
              .mapValues(v -> ((IngestOutcome.Accepted) v).request(), Named.as("rekey-request"))
              .repartition(Repartitioned.with(Serdes.String(), serdes.request()).withName(REKEYED));
      sessionRequests = keyed.merge(rekeyed, Named.as("requests-merge"));
    }
    rejected
        .mapValues(v -> ((IngestOutcome.Rejected) v).response(), Named.as("rejected-response"))
        .to(
            t.responses(),
            Produced.with(Serdes.String(), serdes.response()).withName("rejected-sink"));
    KStream<String, SessionOutput> rejectedReplies =
        rejected
            .filter(
                (k, v) -> ((IngestOutcome.Rejected) v).reply() != null,
                Named.as("rejected-with-reply"))
            .mapValues(
                v -> {
                  IngestOutcome.Rejected r = (IngestOutcome.Rejected) v;
                  return (SessionOutput) SessionOutput.ReplyOut.to(r.reply(), r.response());
                },
                Named.as("rejected-reply"));

    KStream<String, SessionInput> requests =
        sessionRequests.mapValues(
            r -> (SessionInput) new SessionInput.RequestIn(r), Named.as("request-in"));
    KStream<String, SessionInput> completions =
        builder.stream(
                t.completions(),
                Consumed.with(Serdes.String(), serdes.completion()).withName("completions-source"))
            .mapValues(
                (Completion c) -> (SessionInput) new SessionInput.CompletionIn(c),
                Named.as("completion-in"));

    KStream<String, SessionInput> toolResults =
        builder.stream(
                t.toolResults(),
                Consumed.with(Serdes.String(), serdes.toolResult()).withName("tool-results-source"))
            .mapValues(
                (ToolResult r) -> (SessionInput) new SessionInput.ToolResultIn(r),
                Named.as("tool-result-in"));

    KStream<String, SessionOutput> outputs =
        requests
            .merge(completions, Named.as("session-inputs"))
            .merge(toolResults, Named.as("session-inputs-with-tools"))
            .process(
                new SessionProcessorSupplier(
                    spec.dispatcher(),
                    spec.sessions(),
                    spec.cache(),
                    spec.tools(),
                    spec.metrics(),
                    serdes.session(),
                    serdes.pending(),
                    serdes.response(),
                    spec.limits(),
                    t.replyTopics()),
                Named.as("session"));
    Map<String, KStream<String, SessionOutput>> out =
        outputs
            .split(Named.as("out-"))
            .branch((k, v) -> v instanceof SessionOutput.ResponseOut, Branched.as("response"))
            .branch((k, v) -> v instanceof SessionOutput.ReplyOut, Branched.as("reply"))
            .branch((k, v) -> v instanceof SessionOutput.SpanOut, Branched.as("span"))
            .branch((k, v) -> v instanceof SessionOutput.UsageOut, Branched.as("usage"))
            .branch((k, v) -> v instanceof SessionOutput.ToolCallOut, Branched.as("tool-call"))
            .branch((k, v) -> v instanceof SessionOutput.ToolResultOut, Branched.as("tool-result"))
            .branch((k, v) -> v instanceof SessionOutput.ReleaseOut, Branched.as("release"))
            .defaultBranch(Branched.as("cache"));
    out.get("out-response")
        .mapValues(v -> ((SessionOutput.ResponseOut) v).response(), Named.as("response-value"))
        .to(
            t.responses(),
            Produced.with(Serdes.String(), serdes.response()).withName("responses-sink"));
    out.get("out-reply")
        .merge(rejectedReplies, Named.as("replies-merge"))
        .mapValues(v -> (SessionOutput.ReplyOut) v, Named.as("reply-value"))
        .processValues(ReplySink::kind, Named.as("reply-kind"))
        .to(
            ReplySink.topics(),
            Produced.with(Serdes.String(), ReplySink.serde(serdes.replies()))
                .withStreamPartitioner(ReplySink.partitions())
                .withName("replies-sink"));
    out.get("out-span")
        .mapValues(v -> ((SessionOutput.SpanOut) v).span(), Named.as("span-value"))
        .to(t.traces(), Produced.with(Serdes.String(), serdes.traceSpan()).withName("traces-sink"));
    out.get("out-usage")
        .mapValues(v -> ((SessionOutput.UsageOut) v).usage(), Named.as("usage-value"))
        .to(t.usage(), Produced.with(Serdes.String(), serdes.usage()).withName("usage-sink"));
    out.get("out-tool-call")
        .mapValues(v -> ((SessionOutput.ToolCallOut) v).call(), Named.as("tool-call-value"))
        .to(
            t.toolCalls(),
            Produced.with(Serdes.String(), serdes.toolCall()).withName("tool-calls-sink"));
    out.get("out-tool-result")
        .mapValues(v -> ((SessionOutput.ToolResultOut) v).result(), Named.as("tool-result-value"))
        .to(
            t.toolResults(),
            Produced.with(Serdes.String(), serdes.toolResult()).withName("tool-results-sink"));
    if (admission.enabled()) {
      AdmissionStage.releases(out.get("out-release"), admission);
    }
    out.get("out-cache")
        .mapValues(v -> ((SessionOutput.CacheOut) v).response(), Named.as("cache-value"))
        .to(t.cache(), Produced.with(Serdes.String(), serdes.response()).withName("cache-sink"));
    return builder.build();
  }
}
