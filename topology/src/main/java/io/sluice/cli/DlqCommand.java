package io.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.Request;
import io.sluice.schema.json.AvroJson;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice dlq}: inspect dead letters and re-inject them after a fix. */
@Command(
    name = "dlq",
    mixinStandardHelpOptions = true,
    description =
        "Dead letters: list them with their reasons, re-inject chosen ones into the requests topic.",
    subcommands = {DlqCommand.ListLetters.class, DlqCommand.Reinject.class})
final class DlqCommand implements Runnable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required (list, reinject)");
  }

  /** {@code sluice dlq list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Prints every dead letter as a JSON line: where it came from, why, when, and the original key and value.")
  static final class ListLetters implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Option(
        names = "--timeout-s",
        defaultValue = "10",
        description = "Stop when nothing new came for this long (default ${DEFAULT-VALUE}).")
    int timeoutS;

    @Override
    public Integer call() {
      String dlq = client.topicNames().get("dlq");
      int n = 0;
      try (KafkaConsumer<byte[], byte[]> consumer = consumer(client)) {
        List<TopicPartition> parts =
            consumer.partitionsFor(dlq, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(dlq, i.partition()))
                .toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        long idleUntil = System.nanoTime() + Duration.ofSeconds(timeoutS).toNanos();
        while (System.nanoTime() < idleUntil) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            System.out.println(describe(r));
            n++;
            idleUntil = System.nanoTime() + Duration.ofSeconds(timeoutS).toNanos();
          }
          if (consumer.assignment().stream()
              .allMatch(tp -> consumer.position(tp) >= consumer.endOffsets(List.of(tp)).get(tp))) {
            break;
          }
        }
      }
      System.err.println(n + " dead letter(s) in " + dlq);
      return SluiceCli.OK;
    }
  }

  /** {@code sluice dlq reinject}. */
  @Command(
      name = "reinject",
      mixinStandardHelpOptions = true,
      description =
          "Produces one dead letter (chosen by partition and offset) to the requests topic again: its original bytes, or, with --fixed, a corrected request in JSON.")
  static final class Reinject implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Option(
        names = "--partition",
        required = true,
        description = "The dead letter's partition in the DLQ topic.")
    int partition;

    @Option(
        names = "--offset",
        required = true,
        description = "The dead letter's offset in the DLQ topic.")
    long offset;

    @Option(
        names = "--fixed",
        paramLabel = "FILE",
        description =
            "A corrected Request in JSON to send instead of the original bytes (- for stdin).")
    String fixed;

    @Override
    public Integer call() throws Exception {
      String dlq = client.topicNames().get("dlq");
      String requests = client.topicNames().get("requests");
      ConsumerRecord<byte[], byte[]> letter = null;
      try (KafkaConsumer<byte[], byte[]> consumer = consumer(client)) {
        TopicPartition tp = new TopicPartition(dlq, partition);
        consumer.assign(List.of(tp));
        consumer.seek(tp, offset);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (letter == null && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.offset() == offset) {
              letter = r;
              break;
            }
          }
        }
      }
      if (letter == null) {
        throw new IllegalArgumentException(
            "no dead letter at " + dlq + "-" + partition + " offset " + offset);
      }
      byte[] key = letter.key();
      byte[] value = letter.value();
      try (SchemaRegistry registry = client.schemaRegistry()) {
        if (fixed != null) {
          String json =
              fixed.equals("-")
                  ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                  : Files.readString(Path.of(fixed));
          Request r = AvroJson.read(json.trim(), Request.class);
          if (r.getCreatedAt() == null) {
            r.setCreatedAt(Instant.now());
          }
          value = ConfluentAvroSerde.forValues(Request.class, registry).serialize(requests, r);
          key = r.getSessionId() == null ? null : r.getSessionId().getBytes(StandardCharsets.UTF_8);
        }
      }
      Properties p = client.kafkaProperties();
      p.put("acks", "all");
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(requests, key, value);
        out.headers()
            .add(
                "sluice.reinjected.from",
                (dlq + "-" + partition + "@" + offset).getBytes(StandardCharsets.UTF_8));
        var md = producer.send(out).get();
        System.out.println(
            "re-injected "
                + dlq
                + "-"
                + partition
                + "@"
                + offset
                + " as "
                + requests
                + "-"
                + md.partition()
                + "@"
                + md.offset()
                + (fixed != null ? " (fixed)" : " (original bytes)"));
      }
      return SluiceCli.OK;
    }
  }

  static KafkaConsumer<byte[], byte[]> consumer(ClientOptions client) {
    Properties p = client.kafkaProperties();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  static String describe(ConsumerRecord<byte[], byte[]> r) {
    ObjectNode n =
        MAPPER
            .createObjectNode()
            .put("partition", r.partition())
            .put("offset", r.offset())
            .put("timestamp", r.timestamp());
    ObjectNode why = n.putObject("reason");
    for (Header h : r.headers()) {
      if (h.key().startsWith("sluice.")) {
        why.put(
            h.key().substring("sluice.".length()),
            h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
      }
    }
    n.put("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
    n.put(
        "value_base64",
        r.value() == null ? null : java.util.Base64.getEncoder().encodeToString(r.value()));
    n.put("value_text", r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
    return n.toString();
  }
}
