package io.sluice.topology;

import io.sluice.internal.PendingRequest;
import io.sluice.schema.ReplyHeaders;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Headers;

/**
 * Where a request's answer goes besides the responses topic: the topic and partition its record
 * named in the {@link ReplyHeaders#TOPIC} and {@link ReplyHeaders#PARTITION} headers (a front
 * door's reply partition, or any topic a Kafka producer reads). A partition of null lets the
 * producer's default partitioner choose by the record key (session_id).
 *
 * <p>Only a legal Kafka topic name is taken: a name the producer would refuse ({@code
 * InvalidTopicException}) would fail the record on the stream thread, so a header that is not one
 * is ignored, as a header that is absent.
 */
record ReplyAddress(String topic, Integer partition) {
  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  ReplyAddress {
    Objects.requireNonNull(topic, "topic");
  }

  /** The address a request record names, or null when it names none (or an illegal topic). */
  static ReplyAddress of(Headers headers) {
    String topic = ReplyHeaders.text(headers, ReplyHeaders.TOPIC);
    if (topic == null) {
      return null;
    }
    topic = topic.trim();
    if (!legal(topic)) {
      return null;
    }
    return new ReplyAddress(topic, ReplyHeaders.partition(headers));
  }

  /** The address stored with a pending request, or null. */
  static ReplyAddress of(PendingRequest p) {
    return p.getReplyTopic() == null
        ? null
        : new ReplyAddress(p.getReplyTopic(), p.getReplyPartition());
  }

  /** Whether {@code name} is a topic name Kafka accepts. */
  static boolean legal(String name) {
    return name != null && LEGAL.matcher(name).matches() && !name.equals(".") && !name.equals("..");
  }

  /** Stores this address in {@code p}. */
  void into(PendingRequest p) {
    p.setReplyTopic(topic);
    p.setReplyPartition(partition);
  }
}
