package io.sluice.liveconfig;

import io.sluice.config.SluiceConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The compacted {@code llm.config} topic: one partition, one record per applied version, keyed by
 * the version number, so compaction keeps every version (the history) and the order is the order of
 * publication.
 */
public final class ConfigTopic {
  private ConfigTopic() {}

  /**
   * {@code topics.prefix} and {@code config}: {@code llm.config} by default (created with the other
   * topics by {@link io.sluice.kafka.TopicSetup}).
   */
  public static String name(SluiceConfig config) {
    return config.topics().prefix() + "config";
  }

  static TopicPartition partition(String topic) {
    return new TopicPartition(topic, 0);
  }

  /** A consumer of the topic's one partition, with no group: it reads, never commits. */
  static KafkaConsumer<String, byte[]> consumer(Properties client) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-config-" + UUID.randomUUID());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** Every record now in the topic, in order (values left as bytes). */
  static List<ConsumerRecord<String, byte[]>> readAll(
      Properties client, String topic, Duration timeout) {
    try (KafkaConsumer<String, byte[]> c = consumer(client)) {
      TopicPartition tp = partition(topic);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp), timeout).get(tp);
      List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (c.position(tp, timeout) < end) {
        if (System.nanoTime() > deadline) {
          throw new org.apache.kafka.common.errors.TimeoutException(
              "reading " + topic + " took longer than " + timeout);
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }

  /** Every readable version in the topic, in order; later records of one version win. */
  public static List<ConfigVersion> versions(Properties client, String topic, Duration timeout) {
    Map<Long, ConfigVersion> byVersion = new LinkedHashMap<>();
    for (ConsumerRecord<String, byte[]> r : readAll(client, topic, timeout)) {
      if (r.value() == null) {
        continue;
      }
      try {
        ConfigVersion v = ConfigVersion.fromJson(r.value());
        byVersion.remove(v.version());
        byVersion.put(v.version(), v);
      } catch (IllegalArgumentException unreadable) {
        // not a version: an instance counts it as refused; history leaves it out
      }
    }
    return List.copyOf(byVersion.values());
  }
}
