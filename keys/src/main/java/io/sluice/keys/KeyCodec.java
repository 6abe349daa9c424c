package io.sluice.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Optional;

/**
 * The JSON value of a {@code llm.keys} record. A value is at most {@value #MAX_BYTES} bytes: a
 * valid key is far smaller, and a larger or invalid record is not a key (the reader skips it).
 */
public final class KeyCodec {
  /** Largest value written or read. */
  public static final int MAX_BYTES = 16 * 1024;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private KeyCodec() {}

  /**
   * The JSON of {@code key}.
   *
   * @throws IllegalArgumentException when the key is invalid (naming the field)
   */
  public static byte[] encode(VirtualKey key) {
    key.problem()
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
    try {
      byte[] json = JSON.writeValueAsBytes(key);
      if (json.length > MAX_BYTES) {
        throw new IllegalArgumentException("the key's record is over " + MAX_BYTES + " bytes");
      }
      return json;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the key cannot be written as JSON", e);
    }
  }

  /** The key in {@code json}, or why it is not one. */
  public static Decoded decode(byte[] json) {
    if (json.length > MAX_BYTES) {
      return new Decoded(null, "value of " + json.length + " bytes, over " + MAX_BYTES);
    }
    VirtualKey key;
    try {
      key = JSON.readValue(json, VirtualKey.class);
    } catch (IOException e) {
      return new Decoded(null, "not a key's JSON (" + e.getClass().getSimpleName() + ")");
    }
    if (key == null) {
      return new Decoded(null, "null value");
    }
    Optional<String> problem = key.problem();
    return problem.isPresent() ? new Decoded(null, problem.get()) : new Decoded(key, null);
  }

  /** A decoded value: the key, or the reason it is none. */
  public record Decoded(VirtualKey key, String problem) {}
}
