package io.sluice.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.Request;
import io.sluice.schema.AvroTrust;
import io.sluice.schema.registry.HttpSchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;

/** Requests as a newer producer writes them: the Request schema plus one optional string field. */
public final class EvolvedRequests {
  static {
    AvroTrust.install(); // the writer below handles Sluice's generated classes
  }

  private EvolvedRequests() {}

  /** The Request schema with the optional field {@code extra} (null by default) added. */
  public static Schema schema(String extra) {
    try {
      ObjectNode schema =
          (ObjectNode) new ObjectMapper().readTree(Request.getClassSchema().toString());
      ((ArrayNode) schema.get("fields"))
          .addObject()
          .put("name", extra)
          .put("default", (String) null)
          .putArray("type")
          .add("null")
          .add("string");
      return new Schema.Parser().parse(schema.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Registers {@code schema} for the requests topic as a newer producer would, over HTTP. */
  public static int register(String registryUrl, Schema schema) {
    try (HttpSchemaRegistry client =
        new HttpSchemaRegistry(HttpSchemaRegistry.Options.of(registryUrl))) {
      return client.register("llm.requests-value", schema);
    }
  }

  /**
   * {@code r} written with {@code writer} (its extra fields set to "evolved") in the Confluent
   * framing under schema id {@code id}.
   */
  public static byte[] framed(int id, Schema writer, Request r) {
    GenericData.Record record = new GenericData.Record(writer);
    for (Schema.Field f : writer.getFields()) {
      Schema.Field known = Request.getClassSchema().getField(f.name());
      record.put(f.name(), known == null ? "evolved" : r.get(known.pos()));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new GenericDatumWriter<GenericRecord>(writer, SpecificData.getForClass(Request.class))
          .write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
