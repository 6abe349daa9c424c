package io.sluice.bounds;

import io.sluice.config.ConfigException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The three Kafka settings that must agree with {@code kafka.max_record_bytes}: the producers'
 * {@code max.request.size} (a larger record is refused before it is sent), the topics' {@code
 * max.message.bytes} (a larger batch is refused by the broker) and the consumers' {@code
 * max.partition.fetch.bytes} (a smaller one still reads a large record, but one fetch at a time).
 * Sluice sets all three from the one key, for its own clients and for the topics it creates; an
 * explicit {@code kafka.properties} value that is too small is a config error.
 */
public final class KafkaLimits {
  private static final long KAFKA_DEFAULT_FETCH = 1_048_576;

  private KafkaLimits() {}

  /** Sets the producer's and consumers' sizes in Kafka Streams properties {@code p}. */
  public static void applyToStreams(Properties p, RecordLimits limits) {
    long request = limits.producerMaxRequestSize();
    requireAtLeast(p, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, request);
    requireAtLeast(
        p, StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), request);
    p.putIfAbsent(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        String.valueOf(request));
    // the changelog and repartition topics Kafka Streams creates
    p.putIfAbsent(
        StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), String.valueOf(request));
    p.putIfAbsent(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        String.valueOf(Math.max(KAFKA_DEFAULT_FETCH, request)));
  }

  /** Sets the producer's size in the properties {@code p} of a plain producer. */
  public static void applyToProducer(Properties p, RecordLimits limits) {
    long request = limits.producerMaxRequestSize();
    requireAtLeast(p, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, request);
    p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(request));
  }

  /** The topic config of every topic Sluice creates. */
  public static Map<String, String> topicConfig(RecordLimits limits) {
    return Map.of(
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(limits.producerMaxRequestSize()));
  }

  /**
   * Every topic Sluice writes must take its largest record: a topic created before, or by hand,
   * with a smaller {@code max.message.bytes} would refuse it at the broker, which no bound in the
   * gateway can prevent.
   */
  public static void verifyTopics(Admin admin, Collection<String> topics, RecordLimits limits)
      throws Exception {
    long needed = limits.producerMaxRequestSize();
    List<ConfigResource> resources =
        topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, Config> configs =
        admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
    for (Map.Entry<ConfigResource, Config> e : configs.entrySet()) {
      ConfigEntry max = e.getValue().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      if (max != null && max.value() != null && Long.parseLong(max.value()) < needed) {
        throw new ConfigException(
            "topic "
                + e.getKey().name()
                + " has max.message.bytes="
                + max.value()
                + " but kafka.max_record_bytes needs "
                + needed
                + "; raise it (kafka-configs --alter --entity-type topics --entity-name "
                + e.getKey().name()
                + " --add-config max.message.bytes="
                + needed
                + ") or lower kafka.max_record_bytes");
      }
    }
  }

  private static void requireAtLeast(Properties p, String key, long needed) {
    Object v = p.get(key);
    if (v == null) {
      return;
    }
    long set;
    try {
      set = Long.parseLong(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException("kafka.properties." + key + " must be a number, not '" + v + "'");
    }
    if (set < needed) {
      throw new ConfigException(
          "kafka.properties."
              + key
              + " is "
              + set
              + " but kafka.max_record_bytes needs at least "
              + needed
              + " (the record limit plus "
              + RecordLimits.PRODUCER_HEADROOM_BYTES
              + " for headers and overhead); raise it or lower kafka.max_record_bytes");
    }
  }
}
