package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.FrontDoors;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.frontdoor.FrontDoor;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * PII redaction end to end, on the real broker, topology, front door and simulator: no original
 * value reaches the provider (the simulator's {@code /admin/requests}), any topic (all read raw,
 * aborted transactions included), the logs or the traces (content tracing on), whether the request
 * came through the front door or from a Kafka producer; the front door's client gets its values
 * back.
 */
@Tag("integration")
class PiiRedactionIT {
  /** Sent through the front door: none may appear anywhere but in the client's answer. */
  private static final List<String> DOOR =
      List.of(
          "alice.door@example.com",
          "4111 1111 1111 1111",
          "DE89 3704 0044 0532 0130 00",
          "(415) 555-2671",
          "10.20.30.40",
          "11010519491231002X",
          "TCK-4242");

  /** Produced straight to llm.requests: none may appear anywhere else. */
  private static final List<String> PRODUCED =
      List.of("bob.kafka@example.org", "5500 0000 0000 0004", "2001:db8::8a2e:370:7334");

  private static final ConfluentAvroSerde<Request> REQUESTS =
      ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled());
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static EmbeddedKafkaBroker broker;
  private static LlmSimulator sim;
  private static SluiceApp app;
  private static FrontDoor door;
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    LOGS.start();
    root.addAppender(LOGS);
    broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
    sim = LlmSimulator.start(LlmSimulator.Options.loopback(0, new SimFaults(0, 0, 0, "500", 1, 0)));
    String yaml =
        """
        kafka:
          bootstrap_servers: %s
          application_id: pii-it
          processing_guarantee: at_least_once
          state_dir: %s
        topics:
          partitions: 2
        providers:
          sim: {type: openai, base_url: "%s/v1", api_key: k}
        models:
          gpt: {deployments: [{provider: sim, model: sim-gpt}]}
        tracing: {include_content: true}
        guardrails:
          pii:
            mode: mask
            restore: true
            key: pii-it-key
            custom: {ticket: "TCK-\\\\d{4}"}
        http: {port: 0}
        front_door: {port: 0, auth: none, instance_id: 0}
        """
            .formatted(
                broker.bootstrapServers(), Files.createTempDirectory("sluice-pii-it"), sim.url());
    SluiceConfig config = SluiceConfig.parse(yaml, "pii-it.yaml", Map.of());
    app = Topics.startGateway(broker.bootstrapServers(), config);
    door = FrontDoors.start(config, CatalogSchemaRegistry.bundled(), app.metrics());
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
    if (door != null) {
      door.close();
    }
    if (app != null) {
      app.close();
    }
    sim.close();
    broker.close();
  }

  private static HttpResponse<String> chat(String session, String text) throws Exception {
    String body =
        new ObjectMapper()
            .createObjectNode()
            .put("model", "gpt")
            .put("temperature", 0)
            .set(
                "messages",
                new ObjectMapper()
                    .createArrayNode()
                    .add(
                        new ObjectMapper()
                            .createObjectNode()
                            .put("role", "user")
                            .put("content", text)))
            .toString();
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(door.url() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(60))
            .header("content-type", "application/json")
            .header("x-sluice-tenant", "it")
            .header("x-sluice-session-id", session)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldKeepEveryOriginalFromTheProviderTopicsLogsAndTraces() throws Exception {
    // Given a client of the front door, over two turns of one session
    HttpResponse<String> first = chat("door-session", "I am " + String.join(", ", DOOR));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    // Then it reads its own values in the answer (the simulator echoes the placeholders)
    String answer =
        new ObjectMapper()
            .readTree(first.body())
            .path("choices")
            .path(0)
            .path("message")
            .path("content")
            .asText();
    assertThat(answer).startsWith("Echo: I am ").contains(DOOR);
    HttpResponse<String> second = chat("door-session", "again: " + DOOR.get(0));
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);

    // And given a Kafka producer's request with other values
    Request produced =
        Request.newBuilder()
            .setRequestId("pii-kafka-1")
            .setSessionId("kafka-session")
            .setTenantId("it")
            .setModel("gpt")
            .setMessages(
                List.of(
                    new ChatMessage(
                        "user", "I am " + String.join(", ", PRODUCED), null, null, List.of())))
            .setCreatedAt(Instant.now())
            .build();
    try (KafkaProducer<byte[], byte[]> producer = Topics.bytesProducer(broker.bootstrapServers())) {
      producer
          .send(
              new ProducerRecord<>(
                  "llm.requests",
                  "kafka-session".getBytes(StandardCharsets.UTF_8),
                  REQUESTS.serialize("llm.requests", produced)))
          .get();
    }
    try (Topics.Reader<Response> responses =
        Topics.responses(broker.bootstrapServers(), "llm.responses")) {
      List<Response> seen = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                seen.addAll(responses.poll());
                return seen.stream()
                    .anyMatch(
                        r ->
                            "pii-kafka-1".equals(r.getRequestId())
                                && r.getStatus() == ResponseStatus.OK);
              });
    }

    // Then the provider saw placeholders only, the same one for the same value in both turns
    String provider =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(sim.url() + "/admin/requests")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(provider).contains("[EMAIL_", "[CREDIT_CARD_", "[TICKET_");
    assertNoneIn("the provider's requests", provider, DOOR, PRODUCED);
    // and no topic holds an original (but the producer's own record in llm.requests)
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      for (String topic :
          admin
              .listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
              .names()
              .get()) {
        String raw = readAll(topic);
        assertNoneIn(
            "topic " + topic, raw, DOOR, topic.equals("llm.requests") ? List.of() : PRODUCED);
      }
    }
    // (the scan would see one: the producer's own values are in its own record)
    assertThat(readAll("llm.requests")).contains(PRODUCED.get(0));
    assertThat(readAll("llm.traces")).contains("sluice.pii.email");
    // and no log line
    StringBuilder logs = new StringBuilder();
    synchronized (LOGS) {
      for (ILoggingEvent e : new ArrayList<>(LOGS.list)) {
        logs.append(e.getFormattedMessage()).append('\n');
        if (e.getThrowableProxy() != null) {
          logs.append(e.getThrowableProxy().getMessage()).append('\n');
        }
      }
    }
    assertNoneIn("the logs", logs.toString(), DOOR, PRODUCED);
    // and the metrics count both doors in
    String metrics =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(app.adminUrl() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .contains("sluice_pii_detected_total{entity=\"email\",stage=\"front_door\"}")
        .contains("sluice_pii_detected_total{entity=\"email\",stage=\"ingest\"}");
  }

  private static void assertNoneIn(String where, String text, List<String> a, List<String> b) {
    for (String v : concat(a, b)) {
      assertThat(text).as(where + " must not hold '" + v + "'").doesNotContain(v);
      // Avro and JSON hold the same characters; also look for the bare digits of a number
      String digits = v.replaceAll("[^0-9]", "");
      if (digits.length() >= 10) {
        assertThat(text.replaceAll("[ ()-]", ""))
            .as(where + " must not hold " + v)
            .doesNotContain(digits);
      }
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Every record of {@code topic} up to its end, keys, values and headers, as text. */
  private static String readAll(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    StringBuilder sb = new StringBuilder();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps =
          c.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < deadline && !Set.copyOf(done(c, end)).containsAll(tps)) {
        c.poll(Duration.ofMillis(100))
            .forEach(
                r -> {
                  if (r.key() != null) {
                    sb.append(new String(r.key(), StandardCharsets.UTF_8));
                  }
                  if (r.value() != null) {
                    sb.append(new String(r.value(), StandardCharsets.UTF_8));
                  }
                  r.headers()
                      .forEach(
                          h ->
                              sb.append(h.key())
                                  .append(new String(h.value(), StandardCharsets.UTF_8)));
                  sb.append('\n');
                });
      }
    }
    return sb.toString();
  }

  private static List<TopicPartition> done(
      KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
    return end.entrySet().stream()
        .filter(e -> c.position(e.getKey()) >= e.getValue())
        .map(Map.Entry::getKey)
        .toList();
  }
}
