package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.registry.RegistryHttpServer;
import io.sluice.topology.EvolvedRequests;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests held for a schema fetch survive {@code kill -9}: {@code sluice broker} and {@code sluice
 * run} in their own JVMs, a registry (the catalog's REST server, in the test) that goes down after
 * a newer producer registered its schema, requests written with it, the gateway holding them with
 * its input offsets committed past them, a kill, and a restart with the registry back.
 */
@Tag("integration")
class HeldRequestsCrashIT {
  private static final int REQUESTS = 20;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"exactly_once_v2", "at_least_once"})
  void givenRequestsHeldForTheRegistry_whenTheGatewayIsKilled_thenTheRestartAnswersThemAll(
      String guarantee, @TempDir Path dir) throws Exception {
    int brokerPort = freePort();
    int registryPort = freePort();
    int httpPort = freePort();
    Path logs = Path.of("target/held-crash-it-" + guarantee);
    CatalogSchemaRegistry catalog = CatalogSchemaRegistry.bundled();
    RegistryHttpServer registry = RegistryHttpServer.start(catalog, "127.0.0.1", registryPort);
    try (SluiceProcess broker =
            SluiceProcess.start(
                    logs.resolve("broker.log"),
                    "broker",
                    "--port",
                    String.valueOf(brokerPort),
                    "--data-dir",
                    dir.resolve("kafka").toString())
                .awaitOutput("Ready", Duration.ofSeconds(90));
        LlmSimulator sim = LlmSimulator.start(LlmSimulator.Options.loopback(0, SimFaults.NONE))) {
      assertThat(broker.alive()).isTrue();
      String bootstrap = "127.0.0.1:" + brokerPort;
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(
          config,
          """
          kafka:
            bootstrap_servers: %s
            application_id: held-crash-it
            processing_guarantee: %s
            state_dir: %s
            instance_id: held-crash-it-1
          schema_registry:
            url: %s
          topics:
            partitions: 2
          providers:
            sim: {type: openai, base_url: "%s/v1"}
          models:
            gpt: {deployments: [{provider: sim, model: sim-gpt}]}
          http: {port: %d}
          """
              .formatted(
                  bootstrap, guarantee, dir.resolve("state"), registry.url(), sim.url(), httpPort));

      // Given a gateway holding requests whose schema it cannot fetch: the registry went down
      // after a newer producer registered it
      SluiceProcess gateway =
          SluiceProcess.start(logs.resolve("gateway-1.log"), "run", "--config", config.toString());
      gateway.awaitOutput("Sluice gateway running", Duration.ofSeconds(90));
      Schema evolved = EvolvedRequests.schema("client_hint");
      int id = EvolvedRequests.register(registry.url(), evolved);
      registry.close();
      registry = null;
      send(bootstrap, id, evolved);
      OkHttpClient http = new OkHttpClient();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> awaitingSchema(http, httpPort) == REQUESTS);
      // and its input offsets committed past them: only the store has them now
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> committedToTheEnd(bootstrap));

      // When it is killed, and started again with the registry back
      gateway.kill9();
      registry = RegistryHttpServer.start(catalog, "127.0.0.1", registryPort);
      try (SluiceProcess again =
              SluiceProcess.start(
                  logs.resolve("gateway-2.log"), "run", "--config", config.toString());
          Topics.Reader<Response> reader = Topics.responses(bootstrap, "llm.responses")) {
        // Then every held request is answered
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    reader.poll().stream().map(Response::getRequestId).distinct().count()
                        == REQUESTS);
        long quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < quietUntil) {
          reader.poll();
        }
        assertThat(again.alive()).isTrue();
        Map<String, Integer> counts = new HashMap<>();
        for (Response r : reader.values()) {
          assertThat(r.getStatus()).as(r.getRequestId()).isEqualTo(ResponseStatus.OK);
          assertThat(r.getContent()).isEqualTo("Echo: held " + r.getRequestId());
          counts.merge(r.getRequestId(), 1, Integer::sum);
        }
        assertThat(counts).hasSize(REQUESTS);
        if (guarantee.equals("exactly_once_v2")) {
          assertThat(counts.values()).as("responses per request").containsOnly(1);
        }
      }
    } finally {
      if (registry != null) {
        registry.close();
      }
    }
  }

  private static void send(String bootstrap, int id, Schema evolved) {
    try (KafkaProducer<byte[], byte[]> producer = Topics.bytesProducer(bootstrap)) {
      for (int i = 0; i < REQUESTS; i++) {
        String rid = "held-" + i;
        Request r =
            Request.newBuilder()
                .setRequestId(rid)
                .setSessionId("session-" + i)
                .setModel("gpt")
                .setMessages(List.of(new ChatMessage("user", "held " + rid, null, null, List.of())))
                .setCreatedAt(Instant.now())
                .setTimeoutMs(600_000L)
                .build();
        producer.send(
            new ProducerRecord<>(
                "llm.requests",
                r.getSessionId().getBytes(StandardCharsets.UTF_8),
                EvolvedRequests.framed(id, evolved, r)));
      }
      producer.flush();
    }
  }

  /** The gateway's {@code sluice_requests_awaiting_schema}, read from its /metrics. */
  private static double awaitingSchema(OkHttpClient http, int port) throws Exception {
    try (okhttp3.Response r =
        http.newCall(
                new okhttp3.Request.Builder().url("http://127.0.0.1:" + port + "/metrics").build())
            .execute()) {
      return r.body()
          .string()
          .lines()
          .filter(l -> l.startsWith("sluice_requests_awaiting_schema "))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
          .findFirst()
          .orElse(-1);
    }
  }

  /** The gateway's committed offsets on the requests topic are at its end offsets. */
  private static boolean committedToTheEnd(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets("held-crash-it").partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, Long> requests =
          committed.entrySet().stream()
              .filter(e -> e.getKey().topic().equals("llm.requests") && e.getValue() != null)
              .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
      if (requests.size() < 2) {
        return false;
      }
      Map<TopicPartition, OffsetSpec> latest =
          requests.keySet().stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
      var ends = admin.listOffsets(latest).all().get();
      return requests.entrySet().stream()
          .allMatch(e -> e.getValue() >= ends.get(e.getKey()).offset());
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
