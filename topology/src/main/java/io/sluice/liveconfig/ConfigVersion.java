package io.sluice.liveconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One applied version of the live sections, as a record of the {@code llm.config} topic (key: the
 * version number, zero-padded; value: this as JSON).
 *
 * @param version 1, 2, ...: one more than the version in force when it was applied
 * @param appliedAtMs when {@code sluice config apply} published it
 * @param appliedBy who and where: {@code user@host}
 * @param source the file it came from
 * @param digest SHA-256 hex of {@code sections} ({@link LiveSections#digest})
 * @param sections the live sections of the file, as written: {@code ${VAR}} references are left in,
 *     so each instance substitutes its own environment and secrets kept there stay out of the topic
 */
public record ConfigVersion(
    long version,
    long appliedAtMs,
    String appliedBy,
    String source,
    String digest,
    ObjectNode sections) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The record key of {@code version}: zero-padded, so keys sort as versions do. */
  public static String key(long version) {
    return String.format("%012d", version);
  }

  public byte[] toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("version", version);
    o.put("applied_at_ms", appliedAtMs);
    o.put("applied_by", appliedBy);
    o.put("source", source);
    o.put("digest", digest);
    o.set("sections", sections);
    try {
      return JSON.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a record value; a value that is not a version is an {@link IllegalArgumentException}. */
  public static ConfigVersion fromJson(byte[] value) {
    JsonNode o;
    try {
      o = JSON.readTree(new String(value, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
    if (o == null
        || !o.path("version").canConvertToLong()
        || o.path("version").asLong() <= 0
        || !o.path("sections").isObject()) {
      throw new IllegalArgumentException("not a config version (needs version > 0 and sections)");
    }
    return new ConfigVersion(
        o.path("version").asLong(),
        o.path("applied_at_ms").asLong(),
        o.path("applied_by").asText(""),
        o.path("source").asText(""),
        o.path("digest").asText(""),
        (ObjectNode) o.get("sections"));
  }
}
