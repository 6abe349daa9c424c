package io.sluice.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A raw input record that ingest holds in its store until the schema registry has answered for its
 * schema id: the bytes as read, with the timestamp, headers and source position that a dead letter
 * or the record's trace needs later.
 *
 * <p>Stored in a private binary layout (a format byte, then the fields in order; lengths -1 for
 * null), never read outside this gateway's own {@code ingest-awaiting-schema} store.
 */
record ParkedRecord(
    String topic,
    int partition,
    long offset,
    long timestamp,
    byte[] key,
    byte[] value,
    Headers headers) {
  private static final byte FORMAT = 1;

  static Serde<ParkedRecord> serde() {
    return Serdes.serdeFrom(
        (Serializer<ParkedRecord>) (topic, r) -> r == null ? null : r.toBytes(),
        (Deserializer<ParkedRecord>) (topic, data) -> data == null ? null : fromBytes(data));
  }

  byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + length(key) + length(value));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeUTF(topic);
      out.writeInt(partition);
      out.writeLong(offset);
      out.writeLong(timestamp);
      writeBytes(out, key);
      writeBytes(out, value);
      Header[] all = headers.toArray();
      out.writeInt(all.length);
      for (Header h : all) {
        out.writeUTF(h.key());
        writeBytes(out, h.value());
      }
    } catch (IOException e) {
      throw new SerializationException("cannot write a parked record", e);
    }
    return bytes.toByteArray();
  }

  static ParkedRecord fromBytes(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new SerializationException("unknown parked-record format " + format);
      }
      String topic = in.readUTF();
      int partition = in.readInt();
      long offset = in.readLong();
      long timestamp = in.readLong();
      byte[] key = readBytes(in);
      byte[] value = readBytes(in);
      int n = in.readInt();
      RecordHeaders headers = new RecordHeaders();
      for (int i = 0; i < n; i++) {
        headers.add(in.readUTF(), readBytes(in));
      }
      return new ParkedRecord(topic, partition, offset, timestamp, key, value, headers);
    } catch (IOException e) {
      throw new SerializationException("cannot read a parked record", e);
    }
  }

  private static int length(byte[] b) {
    return b == null ? 0 : b.length;
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
