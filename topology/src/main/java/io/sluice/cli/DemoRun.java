package io.sluice.cli;

import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ToolSpec;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** {@code sluice dev --demo}: a few requests across two sessions, and their responses. */
final class DemoRun {
  private DemoRun() {}

  /** Sends the demo requests and prints each answer; true when every request was answered. */
  static boolean run(
      String bootstrap,
      String requestsTopic,
      String responsesTopic,
      boolean tools,
      Duration timeout,
      PrintStream out) {
    CatalogSchemaRegistry registry = CatalogSchemaRegistry.bundled();
    String run = UUID.randomUUID().toString().substring(0, 8);
    Map<String, Request> sent = new LinkedHashMap<>();
    String[][] turns = {
      {"alice", "gpt-4o-mini", "What is Apache Kafka?"},
      {"bob", "claude-haiku", "Hello Sluice!"},
      {"alice", "gpt-4o-mini", "And what does Kafka Streams add?"},
      {"bob", "claude-haiku", "Tell me about event replay."},
      {"carol", "gpt-4o-mini", "use the calculator: 6*7"},
    };
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, Response> consumer =
            new KafkaConsumer<>(
                c,
                new StringDeserializer(),
                ConfluentAvroSerde.forValues(Response.class, registry).deserializer());
        KafkaProducer<String, Request> producer =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                new StringSerializer(),
                ConfluentAvroSerde.forValues(Request.class, registry).serializer())) {
      List<TopicPartition> parts =
          consumer.partitionsFor(responsesTopic).stream()
              .map(p -> new TopicPartition(responsesTopic, p.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      parts.forEach(consumer::position);
      int i = 0;
      for (String[] t : turns) {
        boolean toolTurn = t[0].equals("carol");
        if (toolTurn && !tools) {
          continue;
        }
        String session = "demo-" + t[0] + "-" + run;
        Request r =
            Request.newBuilder()
                .setRequestId("demo-" + run + "-" + (++i))
                .setSessionId(session)
                .setTenantId("demo")
                .setModel(t[1])
                .setMessages(List.of(new ChatMessage("user", t[2], null, null, List.of())))
                .setTools(
                    toolTurn
                        ? List.of(
                            new ToolSpec(
                                "calculator",
                                "evaluates arithmetic",
                                "{\"type\":\"object\",\"properties\":{\"expression\":{\"type\":\"string\"}}}"))
                        : List.of())
                .setCreatedAt(Instant.now())
                .build();
        sent.put(r.getRequestId(), r);
        producer.send(new ProducerRecord<>(requestsTopic, session, r));
        out.printf("-> %-22s %-13s %s%n", session, t[1], t[2]);
      }
      producer.flush();
      Map<String, Response> answers = new LinkedHashMap<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (answers.size() < sent.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, Response> rec : consumer.poll(Duration.ofMillis(200))) {
          Response resp = rec.value();
          if (sent.containsKey(resp.getRequestId())
              && answers.putIfAbsent(resp.getRequestId(), resp) == null) {
            out.printf(
                "<- %-22s %-6s %s (%d ms, %d tokens, provider %s)%n",
                resp.getSessionId(),
                resp.getStatus(),
                resp.getContent() != null ? resp.getContent() : resp.getError(),
                resp.getLatencyMs(),
                resp.getUsage().getTotalTokens(),
                resp.getProvider());
          }
        }
      }
      if (answers.size() < sent.size()) {
        out.printf(
            "only %d of %d requests were answered within %s%n",
            answers.size(), sent.size(), timeout);
        return false;
      }
      return true;
    }
  }
}
