package io.sluice.it;

import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.events.Response;
import io.sluice.kafka.TopicSetup;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;

/**
 * The integration tests' Kafka helpers: read a whole topic from the beginning, read_committed, into
 * a growing list; produce raw bytes; create the topics and start a gateway. Test thread only.
 */
final class Topics {
  private Topics() {}

  /** Collects the decoded records of one topic; call {@link #poll()} from an await loop. */
  static final class Reader<T extends SpecificRecord> implements AutoCloseable {
    private final KafkaConsumer<String, T> consumer;
    final List<ConsumerRecord<String, T>> records = new ArrayList<>();

    Reader(String bootstrap, String topic, Class<T> type) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      consumer =
          new KafkaConsumer<>(
              p,
              new StringDeserializer(),
              ConfluentAvroSerde.forValues(type, CatalogSchemaRegistry.bundled()).deserializer());
      List<TopicPartition> tps = new ArrayList<>();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptionsInstanceOf(org.apache.kafka.common.errors.TimeoutException.class)
          .until(
              () -> {
                consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .forEach(tps::add);
                return !tps.isEmpty();
              });
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
    }

    List<T> poll() {
      for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(100))) {
        records.add(r);
      }
      return values();
    }

    /**
     * Whether everything committed so far has been read: the position is at the end of every
     * partition (for this read_committed consumer, the last stable offset).
     */
    boolean caughtUp() {
      Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
      return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    /**
     * The end of every partition now (for this read_committed consumer, the last stable offset).
     */
    Map<TopicPartition, Long> ends() {
      return consumer.endOffsets(consumer.assignment());
    }

    /** Whether the position of every partition has reached {@code marks} (from {@link #ends}). */
    boolean reached(Map<TopicPartition, Long> marks) {
      return marks.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    /** Each partition's position and end, for a failure message. */
    String positions() {
      Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
      return ends.entrySet().stream()
          .map(e -> e.getKey() + "@" + consumer.position(e.getKey()) + "/" + e.getValue())
          .toList()
          .toString();
    }

    List<T> values() {
      return records.stream().map(ConsumerRecord::value).toList();
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  static Reader<Response> responses(String bootstrap, String topic) {
    return new Reader<>(bootstrap, topic, Response.class);
  }

  /** Raw records of a topic (for the dead-letter topic). */
  static List<ConsumerRecord<byte[], byte[]>> readRaw(
      String bootstrap, String topic, int atLeast, Duration timeout) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps =
          c.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < atLeast && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
    }
    return out;
  }

  static Map<String, Object> producerProps(String bootstrap) {
    return Map.of(
        "bootstrap.servers",
        bootstrap,
        "acks",
        "all",
        "enable.idempotence",
        "true",
        "linger.ms",
        "5");
  }

  /** A producer of raw key and value bytes, with {@link #producerProps}. */
  static KafkaProducer<byte[], byte[]> bytesProducer(String bootstrap) {
    return new KafkaProducer<>(
        producerProps(bootstrap), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Creates the config's topics, starts the gateway in this JVM and waits until it runs. */
  static SluiceApp startGateway(String bootstrap, SluiceConfig config) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicSetup.ensure(admin, TopicSetup.specs(config, null, null), Duration.ofSeconds(30));
    }
    SluiceApp app = SluiceApp.start(config);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> app.state() == KafkaStreams.State.RUNNING);
    return app;
  }
}
