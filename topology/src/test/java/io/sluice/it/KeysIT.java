package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.app.FrontDoors;
import io.sluice.app.SluiceApp;
import io.sluice.cli.KeysCli;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.frontdoor.FrontDoor;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.topology.EventSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Virtual keys end to end on one broker: a key made with {@code sluice keys create}, used over real
 * HTTP through two front doors (each with its own keys reader), revoked with {@code sluice keys
 * revoke} and refused by both within 5 s; a Kafka producer's {@code sluice.key} header checked by
 * the gateway; and the plaintext keys in no topic (every record's raw key, value and headers), log
 * line or metric.
 */
@Tag("integration")
class KeysIT {
  private static final String BODY =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hello keys\"}]}";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void shouldAuthenticateWithACreatedKeyRefuseItEverywhereOnceRevokedAndStoreItNowhere()
      throws Exception {
    try (LogCapture logs = LogCapture.attach();
        EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(5, 0, 0, "500", 1, 0)))) {
      String bootstrap = broker.bootstrapServers();
      SluiceConfig a = config(bootstrap, sim, 0);
      try (SluiceApp app = Topics.startGateway(bootstrap, a);
          FrontDoor doorA = FrontDoors.start(a, CatalogSchemaRegistry.bundled(), app.metrics());
          FrontDoor doorB =
              FrontDoors.start(
                  config(bootstrap, sim, 1),
                  CatalogSchemaRegistry.bundled(),
                  new SimpleMeterRegistry())) {
        // Given a key made with the command line, for tenant team, allowed only gpt
        KeysCli.Created created =
            KeysCli.create(
                "--bootstrap",
                bootstrap,
                "--tenant",
                "team",
                "--name",
                "it",
                "--models",
                "gpt",
                "--rpm",
                "100");
        String key = created.key();
        assertThat(key).startsWith("sk-sluice-");

        // When it calls both front doors, either header form
        HttpResponse<String> okA = chat(doorA, "Authorization", "Bearer " + key, "gpt");
        HttpResponse<String> okB = chat(doorB, "x-api-key", key, "gpt");

        // Then both answer, as tenant team; a model the key does not allow is 403; the model
        // list shows only what the key may use
        assertThat(okA.statusCode()).as(okA.body()).isEqualTo(200);
        assertThat(okB.statusCode()).as(okB.body()).isEqualTo(200);
        assertThat(chat(doorA, "x-api-key", key, "other").statusCode()).isEqualTo(403);
        HttpResponse<String> models = get(doorB, "/v1/models", key);
        assertThat(models.body()).contains("\"gpt\"").doesNotContain("\"other\"");
        try (Topics.Reader<Response> responses =
            Topics.responses(bootstrap, a.topicNames().get("responses"))) {
          Awaitility.await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> responses.poll().size() >= 2);
          assertThat(responses.values())
              .allSatisfy(r -> assertThat(r.getTenantId()).isEqualTo("team"));
        }
        assertThat(app.keys().byId(created.id()))
            .hasValueSatisfying(k -> assertThat(k.rpm()).isEqualTo(100L));

        // And the list shows the key, never its secret or hash
        String list = KeysCli.run("list", "--bootstrap", bootstrap);
        assertThat(list).contains(created.id(), "team", "it", "gpt").doesNotContain(key);
        assertThat(KeysCli.run("list", "--json", "--bootstrap", bootstrap))
            .doesNotContain("sha256")
            .doesNotContain(key);

        // When it is revoked
        assertThat(KeysCli.run("revoke", created.id(), "--bootstrap", bootstrap))
            .contains("revoked " + created.id());

        // Then both doors refuse it within 5 s
        Awaitility.await()
            .atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () ->
                    chat(doorA, "x-api-key", key, "gpt").statusCode() == 401
                        && chat(doorB, "x-api-key", key, "gpt").statusCode() == 401);
        assertThat(chat(doorA, "x-api-key", key, "gpt").body()).doesNotContain(key);

        // And a Kafka producer's key in the sluice.key header is checked by the gateway
        // (a second key, and a third that is revoked: the first stays out of llm.requests)
        String producerKey = KeysCli.create("--bootstrap", bootstrap, "--tenant", "team").key();
        KeysCli.Created gone = KeysCli.create("--bootstrap", bootstrap, "--tenant", "team");
        KeysCli.run("revoke", gone.id(), "--bootstrap", bootstrap);
        Awaitility.await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> app.keys().byId(gone.id()).map(k -> !k.active()).orElse(false));
        List<Response> answered = produceWithKeys(bootstrap, a, producerKey, gone.key());
        assertThat(answered)
            .anySatisfy(
                r -> {
                  assertThat(r.getRequestId()).isEqualTo("kafka-good");
                  assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK);
                  assertThat(r.getTenantId()).isEqualTo("team");
                })
            .anySatisfy(
                r -> {
                  assertThat(r.getRequestId()).isEqualTo("kafka-revoked");
                  assertThat(r.getStatus()).isEqualTo(ResponseStatus.REJECTED);
                  assertThat(r.getError().getCode()).isEqualTo("invalid_key");
                });

        // Finally: no topic, log line or metric holds a plaintext key (the producer's key is in
        // llm.requests only, where its producer put it)
        String metrics = get(app.adminUrl(), "/metrics");
        assertThat(metrics)
            .contains("sluice_keys_active", "sluice_keys_reader_age_seconds")
            .doesNotContain(key, producerKey, gone.key());
        assertThat(logs.text())
            .contains("virtual keys loaded")
            .doesNotContain(key, producerKey, gone.key());
        String requests = a.topicNames().get("requests");
        List<String> topics = topics(bootstrap);
        assertThat(topics).contains(a.topicNames().get("keys"), a.topicNames().get("traces"));
        for (String topic : topics) {
          byte[] all = rawBytes(bootstrap, topic);
          assertThat(contains(all, key)).as("%s holds the key", topic).isFalse();
          if (!topic.equals(requests)) {
            assertThat(contains(all, producerKey)).as("%s holds the key", topic).isFalse();
            assertThat(contains(all, gone.key())).as("%s holds the key", topic).isFalse();
          }
        }
        assertThat(contains(rawBytes(bootstrap, requests), producerKey)).isTrue();
      }
    }
  }

  private static SluiceConfig config(String bootstrap, LlmSimulator sim, int instance)
      throws Exception {
    Path state = Files.createTempDirectory("sluice-keys-it");
    String yaml =
        """
        kafka:
          bootstrap_servers: %s
          application_id: keys-it
          state_dir: %s
        topics:
          partitions: 2
        providers:
          sim: {type: openai, base_url: "%s/v1", api_key: k}
        models:
          gpt: {deployments: [{provider: sim, model: sim-gpt}]}
          other: {deployments: [{provider: sim, model: sim-other}]}
        cache:
          enabled: false
        tenants:
          team: {models: ["*"]}
        keys:
          kafka_header: check
        http: {port: 0}
        front_door:
          port: 0
          auth: keys
          instance_id: %d
        """
            .formatted(bootstrap, state, sim.url(), instance);
    return SluiceConfig.parse(yaml, "keys-it.yaml", Map.of());
  }

  private HttpResponse<String> chat(FrontDoor door, String header, String value, String model)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(door.url() + "/v1/chat/completions"))
            .header(header, value)
            .header("content-type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(BODY.formatted(model)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(FrontDoor door, String path, String key) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(door.url() + path))
            .header("x-api-key", key)
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String get(String base, String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Produces one request with a good key header and one with a revoked one; their answers. */
  private static List<Response> produceWithKeys(
      String bootstrap, SluiceConfig config, String good, String revoked) {
    EventSerdes serdes = EventSerdes.of(CatalogSchemaRegistry.bundled());
    String topic = config.topicNames().get("requests");
    try (KafkaProducer<byte[], byte[]> p = Topics.bytesProducer(bootstrap);
        Topics.Reader<Response> responses =
            Topics.responses(bootstrap, config.topicNames().get("responses"))) {
      for (String[] k : new String[][] {{"kafka-good", good}, {"kafka-revoked", revoked}}) {
        Request r =
            Request.newBuilder()
                .setRequestId(k[0])
                .setSessionId("s-" + k[0])
                .setTenantId("someone-else")
                .setModel("gpt")
                .setMessages(
                    new ArrayList<>(
                        List.of(
                            new io.sluice.events.ChatMessage("user", "hi", null, null, List.of()))))
                .setCreatedAt(java.time.Instant.now())
                .build();
        RecordHeaders h = new RecordHeaders();
        h.add("sluice.key", k[1].getBytes(StandardCharsets.UTF_8));
        p.send(
            new ProducerRecord<>(
                topic,
                null,
                r.getSessionId().getBytes(StandardCharsets.UTF_8),
                serdes.request().serialize(topic, r),
                h));
      }
      p.flush();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  responses.poll().stream()
                          .filter(r -> r.getRequestId().startsWith("kafka-"))
                          .count()
                      >= 2);
      return responses.values();
    }
  }

  private static List<String> topics(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      Set<String> names =
          admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
      return names.stream().sorted().toList();
    }
  }

  /** Every record of {@code topic} (aborted ones too): keys, values, header names and values. */
  private static byte[] rawBytes(String bootstrap, String topic) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps =
          c.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end");
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
          write(out, r.key());
          write(out, r.value());
          for (Header h : r.headers()) {
            write(out, h.key().getBytes(StandardCharsets.UTF_8));
            write(out, h.value());
          }
        }
      }
    }
    return out.toByteArray();
  }

  private static void write(java.io.ByteArrayOutputStream out, byte[] b) {
    if (b != null) {
      out.writeBytes(b);
      out.write('\n');
    }
  }

  private static boolean contains(byte[] haystack, String needle) {
    return new String(haystack, StandardCharsets.ISO_8859_1)
        .contains(new String(needle.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
  }
}
