package io.sluice.frontdoor.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Server-Sent Events framing: {@code event: NAME\n} (when the format names events) and {@code data:
 * JSON\n\n}. JSON written compactly holds no newline, so one {@code data:} line per event.
 */
final class Sse {
  static final byte[] NOTHING = new byte[0];

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** Adds a {@code data:} event with no name (OpenAI's). */
  Sse data(JsonNode json) {
    return event(null, json);
  }

  /** Adds an event named {@code name} (or unnamed when null). */
  Sse event(String name, JsonNode json) {
    if (name != null) {
      write("event: " + name + "\n");
    }
    write("data: ");
    out.writeBytes(Fields.bytes(json));
    write("\n\n");
    return this;
  }

  /** Adds a {@code data: TEXT} event of plain text ({@code [DONE]}). */
  Sse raw(String text) {
    write("data: " + text + "\n\n");
    return this;
  }

  byte[] bytes() {
    return out.size() == 0 ? NOTHING : out.toByteArray();
  }

  private void write(String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }
}
