package io.sluice.admission;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** The JSON serde of the admission stores' values (not events: they never leave the app). */
final class JsonSerde {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private JsonSerde() {}

  static <T> Serde<T> of(Class<T> type) {
    Serializer<T> ser =
        (topic, v) -> {
          if (v == null) {
            return null;
          }
          try {
            return JSON.writeValueAsBytes(v);
          } catch (IOException e) {
            throw new SerializationException("cannot write " + type.getSimpleName(), e);
          }
        };
    Deserializer<T> de =
        (topic, bytes) -> {
          if (bytes == null) {
            return null;
          }
          try {
            return JSON.readValue(bytes, type);
          } catch (IOException e) {
            throw new SerializationException("cannot read " + type.getSimpleName(), e);
          }
        };
    return Serdes.serdeFrom(ser, de);
  }

  /**
   * A serde that writes {@code write}'s binary layout and reads it with {@code read}, or as JSON a
   * value that begins with '{' (the format these stores had first), so values written before a
   * store changed to the binary layout are still read. Nulls (tombstones) pass through.
   */
  static <T> Serde<T> binaryReadingJson(
      Class<T> type, Function<T, byte[]> write, Function<byte[], T> read) {
    Deserializer<T> json = of(type).deserializer();
    Serializer<T> ser = (topic, v) -> v == null ? null : write.apply(v);
    Deserializer<T> de =
        (topic, bytes) -> {
          if (bytes == null) {
            return null;
          }
          return bytes.length > 0 && bytes[0] == '{'
              ? json.deserialize(topic, bytes)
              : read.apply(bytes);
        };
    return Serdes.serdeFrom(ser, de);
  }
}
