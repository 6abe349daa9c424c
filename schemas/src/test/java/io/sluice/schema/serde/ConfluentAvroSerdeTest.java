package io.sluice.schema.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.schema.EventType;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.registry.RegisteredSchema;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.schema.testing.SampleEvents;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ConfluentAvroSerdeTest {
  private final CatalogSchemaRegistry registry = CatalogSchemaRegistry.bundled();

  @SuppressWarnings("unchecked")
  private <T extends SpecificRecord> ConfluentAvroSerde<T> serdeOf(T value) {
    return ConfluentAvroSerde.forValues((Class<T>) value.getClass(), registry);
  }

  @Test
  void shouldRoundTripEveryEventTypeThroughTheConfluentFraming() {
    for (SpecificRecord event : SampleEvents.all()) {
      // Given a fully populated event
      ConfluentAvroSerde<SpecificRecord> serde = serdeOf(event);
      String topic = "llm." + EventType.ofTopic(topicOf(event)).orElseThrow().topicSuffix();

      // When it is written and read back
      byte[] bytes = serde.serialize(topic, event);
      SpecificRecord back = serde.deserialize(topic, bytes);

      // Then it is equal, framed with magic byte 0 and the catalog's id
      assertThat(back).as(event.getClass().getSimpleName()).isEqualTo(event);
      assertThat(bytes[0]).isZero();
      assertThat(ConfluentAvroSerde.schemaId(bytes))
          .isEqualTo(registry.idOf(event.getSchema()).orElseThrow());
    }
  }

  private static String topicOf(SpecificRecord event) {
    for (EventType t : EventType.values()) {
      if (t.type() == event.getClass()) {
        return "llm." + t.topicSuffix();
      }
    }
    throw new IllegalArgumentException();
  }

  @Test
  void shouldUseTheCatalogIdsWithNoServerRunning() {
    byte[] request =
        ConfluentAvroSerde.forValues(Request.class, registry)
            .serialize("llm.requests", SampleEvents.request());
    byte[] cached =
        ConfluentAvroSerde.forValues(Response.class, registry)
            .serialize("llm.cache", SampleEvents.response());

    // ids from catalog.tsv: Request v3 (with key_id) is id 19; Response v4 (with semantic and
    // shared_call_of) is id 20
    assertThat(ConfluentAvroSerde.schemaId(request)).isEqualTo(19);
    assertThat(ConfluentAvroSerde.schemaId(cached)).isEqualTo(20);
  }

  @Test
  void shouldReadARecordWrittenWithANewerSchemaThatAddedAnOptionalField() {
    // Given a newer Request schema with an extra optional field, registered like a producer would
    Schema newer = withExtraOptionalField(Request.getClassSchema());
    ConfluentAvroSerde<GenericRecord> newerWriter = ConfluentAvroSerde.generic(registry, false);
    GenericRecord record = toGeneric(SampleEvents.request(), newer);
    record.put("region", "eu-west-1");
    byte[] bytes = newerWriter.serialize("llm.requests", record);

    // When the current (older) reader reads it
    Request read =
        ConfluentAvroSerde.forValues(Request.class, registry).deserialize("llm.requests", bytes);

    // Then every known field is read and the new one ignored
    assertThat(ConfluentAvroSerde.schemaId(bytes)).isGreaterThanOrEqualTo(100_000);
    assertThat(read).isEqualTo(SampleEvents.request());
  }

  private static Schema withExtraOptionalField(Schema base) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : base.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    Schema optionalString =
        Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING));
    fields.add(
        new Schema.Field("region", optionalString, "added later", JsonProperties.NULL_VALUE));
    return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
  }

  private static GenericRecord toGeneric(Request request, Schema schema) {
    // write with the specific serde, read back generic with the old schema, copy into the new one
    CatalogSchemaRegistry r = CatalogSchemaRegistry.bundled();
    byte[] bytes = ConfluentAvroSerde.forValues(Request.class, r).serialize("t", request);
    GenericRecord old = ConfluentAvroSerde.generic(r, false).deserialize("t", bytes);
    GenericData.Record copy = new GenericData.Record(schema);
    for (Schema.Field f : old.getSchema().getFields()) {
      copy.put(f.name(), old.get(f.name()));
    }
    return copy;
  }

  @Test
  void shouldFailClearlyOnATruncatedPayload() {
    ConfluentAvroSerde<Request> serde = ConfluentAvroSerde.forValues(Request.class, registry);
    byte[] bytes = serde.serialize("llm.requests", SampleEvents.request());
    byte[] truncated = Arrays.copyOf(bytes, bytes.length / 2);

    assertThatThrownBy(() -> serde.deserialize("llm.requests", truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("cannot decode the Avro body")
        .hasMessageContaining("schema id 1");
  }

  @Test
  void shouldFailClearlyOnBytesThatAreNotConfluentFramed() {
    ConfluentAvroSerde<Request> serde = ConfluentAvroSerde.forValues(Request.class, registry);

    assertThatThrownBy(() -> serde.deserialize("llm.requests", "{\"hello\":1}".getBytes()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown magic byte 0x7b");
    assertThatThrownBy(() -> serde.deserialize("llm.requests", new byte[] {0, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("too short");
  }

  @Test
  void shouldFailClearlyOnAnUnknownSchemaId() {
    byte[] bytes = ByteBuffer.allocate(6).put((byte) 0).putInt(4242).put((byte) 2).array();

    assertThatThrownBy(
            () ->
                ConfluentAvroSerde.forValues(Request.class, registry)
                    .deserialize("llm.requests", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("cannot resolve schema id 4242");
  }

  @Test
  void givenPayloadsThatNeedNoRegistryCall_whenPrefetched_thenTheyAreReadyAtOnce() {
    ConfluentAvroSerde<Request> serde = ConfluentAvroSerde.forValues(Request.class, registry);
    byte[] known = serde.serialize("llm.requests", SampleEvents.request());
    serde.deserialize("llm.requests", known);

    assertThat(serde.prefetch(known)).isCompletedWithValue(null);
    assertThat(serde.prefetch(null)).isCompletedWithValue(null);
    assertThat(serde.prefetch("garbage".getBytes())).isCompletedWithValue(null);
  }

  @Test
  void givenAnIdTheRegistryLacks_whenPrefetched_thenReadingFailsNamingItWithoutAskingAgain() {
    int[] asks = {0};
    SchemaRegistry counting =
        new SchemaRegistry() {
          @Override
          public CompletableFuture<Schema> byIdAsync(int id) {
            asks[0]++;
            return registry.byIdAsync(id);
          }

          @Override
          public Schema byId(int id) {
            asks[0]++;
            return registry.byId(id);
          }

          @Override
          public int register(String subject, Schema schema) {
            return registry.register(subject, schema);
          }

          @Override
          public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
            return registry.lookup(subject, schema);
          }

          @Override
          public Optional<RegisteredSchema> latest(String subject) {
            return registry.latest(subject);
          }

          @Override
          public List<RegisteredSchema> versions(String subject) {
            return registry.versions(subject);
          }

          @Override
          public List<String> subjects() {
            return registry.subjects();
          }
        };
    ConfluentAvroSerde<Request> serde = ConfluentAvroSerde.forValues(Request.class, counting);
    byte[] bytes = ByteBuffer.allocate(6).put((byte) 0).putInt(4242).put((byte) 2).array();

    assertThat(serde.prefetch(bytes)).isCompletedWithValue(null);
    assertThat(serde.prefetch(bytes)).isCompletedWithValue(null);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> serde.deserialize("llm.requests", bytes))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("cannot resolve schema id 4242")
          .hasMessageContaining("not found");
    }
    assertThat(asks[0]).as("one registry call for the id").isEqualTo(1);
  }

  @Test
  void shouldRefuseARecordOfAnotherType() {
    byte[] response =
        ConfluentAvroSerde.forValues(Response.class, registry)
            .serialize("llm.responses", SampleEvents.response());

    assertThatThrownBy(
            () ->
                ConfluentAvroSerde.forValues(Request.class, registry)
                    .deserialize("llm.requests", response))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("is io.sluice.events.Response, expected io.sluice.events.Request");
  }

  @Test
  void shouldFailOnTrailingGarbage() {
    ConfluentAvroSerde<Request> serde = ConfluentAvroSerde.forValues(Request.class, registry);
    byte[] bytes = serde.serialize("llm.requests", SampleEvents.request());
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);

    assertThatThrownBy(() -> serde.deserialize("llm.requests", longer))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("trailing bytes");
  }
}
