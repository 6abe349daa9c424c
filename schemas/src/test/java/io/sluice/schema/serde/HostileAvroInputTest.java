package io.sluice.schema.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.events.Request;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.testing.SampleEvents;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * Payloads written to hurt the reader: every one must fail as a {@link SerializationException}
 * (which ingest turns into a dead letter), never as an Error that would end a stream thread, and
 * without allocating what a length prefix claims before the bytes are there.
 */
class HostileAvroInputTest {
  private final CatalogSchemaRegistry registry = CatalogSchemaRegistry.bundled();
  private final ConfluentAvroSerde<Request> requests =
      ConfluentAvroSerde.forValues(Request.class, registry);

  /** The Request schema plus {@code tail: ["null", Node]}, {@code Node} a linked list node. */
  private static Schema requestWithRecursiveTail() {
    String request = Request.getClassSchema().toString();
    String node =
        "{\"name\":\"tail\",\"default\":null,\"type\":[\"null\",{\"type\":\"record\","
            + "\"name\":\"Node\",\"fields\":[{\"name\":\"next\",\"type\":[\"null\",\"Node\"],"
            + "\"default\":null}]}]}";
    String withTail = request.substring(0, request.lastIndexOf(']')) + "," + node + "]}";
    return new Schema.Parser().parse(withTail);
  }

  /** A valid Request body written with {@code writer}, then {@code depth} nested nodes. */
  private byte[] nested(int writerId, int depth) {
    byte[] valid = requests.serialize("llm.requests", SampleEvents.request());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.writeBytes(ByteBuffer.allocate(4).putInt(writerId).array());
    out.write(valid, 5, valid.length - 5);
    byte[] tail = new byte[depth + 1];
    Arrays.fill(tail, 0, depth, (byte) 2); // union branch 1 (Node) at every level...
    tail[depth] = 0; // ...then null
    out.writeBytes(tail);
    return out.toByteArray();
  }

  @Test
  void shouldRefuseNestingTooDeepForTheStackAsASerializationException() {
    Schema writer = requestWithRecursiveTail();
    int id = registry.register("llm.requests-value", writer);
    byte[] deep = nested(id, 1_000_000);

    // the specific reader skips the unknown field, the generic one reads it: neither may overflow
    assertThatThrownBy(() -> requests.deserialize("llm.requests", deep))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("nested too deeply");
    ConfluentAvroSerde<GenericRecord> generic = ConfluentAvroSerde.generic(registry, false);
    assertThatThrownBy(() -> generic.deserialize("llm.requests", deep))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("nested too deeply");
    // while shallow nesting is read as usual
    assertThat(requests.deserialize("llm.requests", nested(id, 100)))
        .isEqualTo(SampleEvents.request());
  }

  @Test
  void shouldRefuseHugeLengthsAndCountsWithoutAllocatingThem() {
    // schema id 1 (Request), request_id: union branch 1 (string), then the string's length
    byte[] head = {0, 0, 0, 0, 1, 2};
    for (long claimed : new long[] {Integer.MAX_VALUE - 8L, Integer.MAX_VALUE, 1L << 40, -3}) {
      byte[] hostile = concat(head, zigZag(claimed), new byte[16]);
      long before = allocated();

      assertThatThrownBy(() -> requests.deserialize("llm.requests", hostile))
          .as("string length %d", claimed)
          .isInstanceOf(SerializationException.class);
      assertThat(allocated() - before).as("bytes allocated").isLessThan(16L << 20);
    }
    // request_id, session_id, tenant_id, model null (branch 0), then the messages' block count
    byte[] toMessages = {0, 0, 0, 0, 1, 0, 0, 0, 0};
    for (long claimed : new long[] {Integer.MAX_VALUE - 8L, 1L << 40, -(1L << 40)}) {
      byte[] hostile = concat(toMessages, zigZag(claimed), zigZag(16), new byte[16]);
      long before = allocated();

      assertThatThrownBy(() -> requests.deserialize("llm.requests", hostile))
          .as("message count %d", claimed)
          .isInstanceOf(SerializationException.class);
      assertThat(allocated() - before).as("bytes allocated").isLessThan(16L << 20);
    }
  }

  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] zigZag(long v) {
    long z = (v << 1) ^ (v >> 63);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while ((z & ~0x7FL) != 0) {
      out.write((int) ((z & 0x7F) | 0x80));
      z >>>= 7;
    }
    out.write((int) z);
    return out.toByteArray();
  }
}
