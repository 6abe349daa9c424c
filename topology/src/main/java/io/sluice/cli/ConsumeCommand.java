package io.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.schema.json.AvroJson;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice consume}: prints a topic's events as JSON lines. */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    description =
        "Prints a topic's events as JSON lines (read_committed), decoding each with its writer schema. The dead-letter topic is printed as headers plus the raw key and value.")
final class ConsumeCommand implements Callable<Integer> {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Mixin ClientOptions client;

  @Option(
      names = {"--topic", "-t"},
      paramLabel = "T",
      description = "Topic (default: the responses topic).")
  String topic;

  @Option(
      names = "--from-beginning",
      description = "Start at the earliest record (default: only new records).")
  boolean fromBeginning;

  @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
  Integer max;

  @Option(
      names = "--timeout-s",
      paramLabel = "S",
      description =
          "Stop after S seconds; with --max, fewer than N records by then is exit code 1.")
  Integer timeoutS;

  @Option(
      names = "--metadata",
      description = "Wrap each event with its topic, partition, offset, timestamp and key.")
  boolean metadata;

  @Option(
      names = "--raw",
      description = "Print headers and raw bytes, as for the dead-letter topic.")
  boolean raw;

  @Override
  public Integer call() throws Exception {
    String target = topic != null ? topic : client.topicNames().get("responses");
    boolean rawMode = raw || target.equals(client.topicNames().get("dlq"));
    Properties props = client.kafkaProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    long deadline =
        timeoutS == null
            ? Long.MAX_VALUE
            : System.nanoTime() + Duration.ofSeconds(timeoutS).toNanos();
    PrintStream out = System.out;
    int printed = 0;
    try (SchemaRegistry registry = client.schemaRegistry();
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      ConfluentAvroSerde<GenericRecord> serde = ConfluentAvroSerde.generic(registry, false);
      List<TopicPartition> partitions = awaitPartitions(consumer, target, deadline);
      consumer.assign(partitions);
      if (fromBeginning) {
        consumer.seekToBeginning(partitions);
      } else {
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
      }
      while ((max == null || printed < max) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (max != null && printed >= max) {
            break;
          }
          if (rawMode) {
            out.println(rawJson(r));
          } else {
            try {
              ObjectNode event =
                  isJsonObject(r.value())
                      ? (ObjectNode) MAPPER.readTree(r.value())
                      : AvroJson.toJson(serde.deserialize(r.topic(), r.value()));
              out.println(metadata ? wrap(r, event) : event);
            } catch (RuntimeException | IOException e) {
              System.err.println(
                  "partition " + r.partition() + " offset " + r.offset() + ": " + e.getMessage());
              continue;
            }
          }
          printed++;
        }
        out.flush();
      }
    }
    if (max != null && printed < max) {
      System.err.println("consumed " + printed + " of " + max + " record(s) before the timeout");
      return SluiceCli.FAILURE;
    }
    return SluiceCli.OK;
  }

  private static List<TopicPartition> awaitPartitions(
      KafkaConsumer<?, ?> consumer, String topic, long deadline) {
    while (true) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      if (infos != null && !infos.isEmpty()) {
        List<TopicPartition> tps = new ArrayList<>();
        infos.forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
        return tps;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
    }
  }

  /**
   * A plain JSON object rather than a Confluent-framed Avro record (whose first byte is 0): the
   * trace-analytics job writes {@code llm.analytics} as JSON.
   */
  private static boolean isJsonObject(byte[] value) {
    return value != null && value.length > 1 && value[0] == '{';
  }

  private static ObjectNode wrap(ConsumerRecord<byte[], byte[]> r, ObjectNode event) {
    ObjectNode node = meta(r);
    node.set("value", event);
    return node;
  }

  private static ObjectNode meta(ConsumerRecord<byte[], byte[]> r) {
    ObjectNode node =
        MAPPER
            .createObjectNode()
            .put("topic", r.topic())
            .put("partition", r.partition())
            .put("offset", r.offset())
            .put("timestamp", r.timestamp());
    node.put("key", r.key() == null ? null : text(r.key()));
    return node;
  }

  private static ObjectNode rawJson(ConsumerRecord<byte[], byte[]> r) {
    ObjectNode node = meta(r);
    ObjectNode headers = node.putObject("headers");
    for (Header h : r.headers()) {
      headers.put(h.key(), h.value() == null ? null : text(h.value()));
    }
    if (r.key() != null) {
      node.put("key_base64", Base64.getEncoder().encodeToString(r.key()));
    }
    if (r.value() != null) {
      node.put("value_base64", Base64.getEncoder().encodeToString(r.value()));
      node.put("value_text", text(r.value()));
    }
    return node;
  }

  /** The bytes as UTF-8 text, or null when they are not valid UTF-8. */
  private static String text(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
