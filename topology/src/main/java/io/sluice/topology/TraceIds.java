package io.sluice.topology;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** W3C trace context: parsing {@code traceparent} and making new trace and span ids. */
final class TraceIds {
  static final String TRACEPARENT = "traceparent";
  private static final Pattern VALID =
      Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
  private static final HexFormat HEX = HexFormat.of();

  private TraceIds() {}

  /** A trace id and the caller's span id (null without a traceparent). */
  record Context(String traceId, String parentSpanId) {}

  /** The context of a record: from its {@code traceparent} header when valid, else a new trace. */
  static Context of(Headers headers) {
    Header h = headers == null ? null : headers.lastHeader(TRACEPARENT);
    if (h != null && h.value() != null) {
      String v =
          new String(h.value(), StandardCharsets.US_ASCII)
              .trim()
              .toLowerCase(java.util.Locale.ROOT);
      var m = VALID.matcher(v);
      if (m.matches() && !m.group(1).equals("0".repeat(32)) && !m.group(2).equals("0".repeat(16))) {
        return new Context(m.group(1), m.group(2));
      }
    }
    return new Context(traceId(), null);
  }

  static String traceId() {
    return random(16);
  }

  static String spanId() {
    return random(8);
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] |= 1; // never all zeros
    return HEX.formatHex(b);
  }
}
