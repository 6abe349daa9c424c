package io.sluice.schema;

import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The record headers of the reply path. A {@code Request} record that names a reply topic in {@link
 * #TOPIC} (and optionally a partition in {@link #PARTITION}) gets its final {@code Response}
 * written there as well as to the responses topic and, when it streams, its {@code ResponseChunk}s
 * as they arrive. Each record written to a reply topic says what it holds in {@link #KIND}.
 *
 * <p>A reply topic carries two record types, so their schemas are registered under Confluent's
 * {@code TopicRecordNameStrategy} subjects ({@link #subject}): {@code <topic>-<record full name>},
 * which a Confluent-compatible registry accepts without a compatibility conflict between them.
 * Readers need no subject: each record's schema id says what it is.
 */
public final class ReplyHeaders {
  private ReplyHeaders() {}

  /** On a request: the topic its answer goes to. */
  public static final String TOPIC = "sluice.reply.topic";

  /** On a request: the partition of {@link #TOPIC}, a decimal number as UTF-8 text. */
  public static final String PARTITION = "sluice.reply.partition";

  /** On a reply record: {@link #KIND_RESPONSE} or {@link #KIND_CHUNK}. */
  public static final String KIND = "sluice.reply.kind";

  public static final String KIND_RESPONSE = "response";
  public static final String KIND_CHUNK = "chunk";

  /** The registry subject of {@code schema}'s records on reply topic {@code topic}. */
  public static String subject(String topic, Schema schema) {
    return topic + "-" + schema.getFullName();
  }

  /** The last value of header {@code name} as UTF-8 text, or null. */
  public static String text(Headers headers, String name) {
    if (headers == null) {
      return null;
    }
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** {@link #PARTITION} read from {@code headers}; null when absent or not a partition number. */
  public static Integer partition(Headers headers) {
    String p = text(headers, PARTITION);
    if (p == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(p.trim());
      return n >= 0 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** UTF-8 bytes of {@code value}, for a header. */
  public static byte[] bytes(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
