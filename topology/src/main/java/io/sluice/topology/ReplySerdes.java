package io.sluice.topology;

import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.schema.ReplyHeaders;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import io.sluice.schema.serde.SpecificWriters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The writers of reply records ({@code Response} and {@code ResponseChunk} on a reply topic), in
 * the Confluent framing with the schema ids registered once, at start-up, under the configured
 * reply topic's subjects ({@link ReplyHeaders#subject}: {@code <topic>-<record full name>}). Ids
 * are global in a registry, so a record written with them to any other reply topic a producer names
 * decodes the same way, and writing one never calls the registry: not on a stream thread, not on a
 * dispatcher thread.
 *
 * <p>Thread-safe once {@link #register} has returned: the ids are published by a volatile write,
 * and the Avro writers keep no state between calls.
 */
public final class ReplySerdes {
  private final SchemaRegistry registry;
  private final SpecificDatumWriter<Response> responses = SpecificWriters.of(Response.class);
  private final SpecificDatumWriter<ResponseChunk> chunks = SpecificWriters.of(ResponseChunk.class);
  private volatile Ids ids;

  private record Ids(int response, int chunk) {}

  ReplySerdes(SchemaRegistry registry) {
    this.registry = registry;
  }

  /**
   * Registers {@code Response} and {@code ResponseChunk} under reply topic {@code topic}'s subjects
   * and keeps their ids (start-up I/O: this may block on the registry).
   */
  public void register(String topic) {
    int response =
        registry.register(
            ReplyHeaders.subject(topic, Response.getClassSchema()), Response.getClassSchema());
    int chunk =
        registry.register(
            ReplyHeaders.subject(topic, ResponseChunk.getClassSchema()),
            ResponseChunk.getClassSchema());
    ids = new Ids(response, chunk);
  }

  /** Whether {@link #register} has run. */
  public boolean registered() {
    return ids != null;
  }

  /** {@code r} framed with the reply topics' Response id. */
  public byte[] response(Response r) {
    return frame(ids().response(), responses, r);
  }

  /** {@code c} framed with the reply topics' ResponseChunk id. */
  public byte[] chunk(ResponseChunk c) {
    return frame(ids().chunk(), chunks, c);
  }

  /** {@link #chunk} as a Kafka serializer (the topic is not used: the id is the same for all). */
  public Serializer<ResponseChunk> chunkSerializer() {
    return (topic, c) -> c == null ? null : chunk(c);
  }

  private Ids ids() {
    Ids i = ids;
    if (i == null) {
      throw new SerializationException(
          "no schema ids for reply records: ReplySerdes.register (GatewayTopology.prepareSchemas)"
              + " did not run at start-up");
    }
    return i;
  }

  private static <T extends SpecificRecord> byte[] frame(
      int id, SpecificDatumWriter<T> writer, T value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    out.write(ConfluentAvroSerde.MAGIC);
    out.write(id >>> 24);
    out.write(id >>> 16);
    out.write(id >>> 8);
    out.write(id);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      writer.write(value, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot write a reply " + value.getSchema().getName() + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }
}
