package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import io.sluice.schema.AvroTrust;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * An upgrade with requests in flight: the {@code pending} store holds values the previous version
 * wrote (PendingRequest schema id 22, without {@code stage_attributes}); this version must read
 * them (the new field takes its default) and answer every one.
 */
class PendingUpgradeTest {
  private static final long NOW = TopologyFixture.START.toEpochMilli();
  private static final int PREVIOUS_ID = 22;
  private static final io.sluice.metrics.GatewayMetrics METRICS =
      new io.sluice.metrics.GatewayMetrics(
          new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

  private final EventSerdes serdes =
      EventSerdes.of(io.sluice.schema.registry.CatalogSchemaRegistry.bundled());

  /** Writes values as the previous version did while {@code old} is true. */
  private boolean old = true;

  @Test
  void givenPendingValuesOfThePreviousSchema_whenThisVersionStartsOnThem_thenItAnswersEachOne() {
    // Given a pending store with a request written by the previous version
    KeyValueStore<String, PendingRequest> pending =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(SessionProcessorSupplier.PENDING),
                Serdes.String(),
                Serdes.serdeFrom((topic, p) -> old ? previous(p) : write(p), this::read))
            .withLoggingDisabled()
            .build();
    KeyValueStore<String, SessionState> sessions =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(SessionProcessorSupplier.SESSIONS),
                Serdes.String(),
                serdes.session())
            .withLoggingDisabled()
            .build();
    MockProcessorContext<String, SessionOutput> context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(NOW);
    pending.init(context.getStateStoreContext(), pending);
    sessions.init(context.getStateStoreContext(), sessions);
    context.addStateStore(pending);
    context.addStateStore(sessions);
    var r = TopologyFixture.request("r1", "s1", "in flight during the upgrade");
    r.setUseHistory(false);
    pending.put(
        "r1",
        PendingRequest.newBuilder()
            .setRequest(r)
            .setAcceptedAtMs(NOW)
            .setCreatedAtMs(NOW)
            .setDeadlineMs(NOW + 30_000)
            .setTraceId("0af7651916cd43dd8448eb211c80319c")
            .setRootSpanId("b7ad6b7169203331")
            .setDispatches(1)
            .setSeq(1)
            .build());
    old = false;
    PendingRequest read = pending.get("r1");
    assertThat(read.getRequest().getMessages().get(0).getContent())
        .isEqualTo("in flight during the upgrade");
    assertThat(read.getStageAttributes()).isEmpty();

    // When this version's processor starts on the store
    RecordingDispatcher dispatcher = new RecordingDispatcher();
    SessionProcessor processor =
        new SessionProcessor(
            dispatcher,
            TopologyFixture.SETTINGS.withSpans(Tracer.Level.ROOT),
            new CacheSettings(false, Duration.ofHours(1), false),
            ToolSettings.disabled(),
            METRICS,
            new OutputBounds(io.sluice.bounds.RecordLimits.DEFAULTS, METRICS));
    processor.init(context);
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(NOW);

    // Then the request goes out again and its answer comes back
    DispatchJob job = dispatcher.last();
    assertThat(job.requestId()).isEqualTo("r1");
    assertThat(job.dispatch()).isEqualTo(2);
    processor.process(
        new Record<>(
            "s1", new SessionInput.CompletionIn(TopologyFixture.completed(job, "answered")), NOW));
    assertThat(context.forwarded())
        .map(f -> f.record().value())
        .filteredOn(v -> v instanceof SessionOutput.ResponseOut)
        .singleElement()
        .satisfies(
            v ->
                assertThat(((SessionOutput.ResponseOut) v).response().getContent())
                    .isEqualTo("answered"));
    assertThat(pending.get("r1")).isNull();
  }

  private byte[] write(PendingRequest p) {
    return serdes.pending().serializer().serialize("sluice-pending-changelog", p);
  }

  private PendingRequest read(String topic, byte[] bytes) {
    return serdes.pending().deserializer().deserialize(topic, bytes);
  }

  /** {@code p} in the previous version's schema, with its id, in the Confluent framing. */
  private static byte[] previous(PendingRequest p) {
    AvroTrust.install();
    try (InputStream in =
        ConfluentAvroSerde.class.getResourceAsStream(
            "/io/sluice/schema/catalog/PendingRequest.id" + PREVIOUS_ID + ".avsc")) {
      Schema schema = new Schema.Parser().parse(in);
      assertThat(schema.getField("stage_attributes")).as("the previous version").isNull();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(0);
      out.write(ByteBuffer.allocate(4).putInt(PREVIOUS_ID).array());
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      // the old fields keep their positions: the new one is appended, so the writer reads them
      new SpecificDatumWriter<PendingRequest>(schema).write(p, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
