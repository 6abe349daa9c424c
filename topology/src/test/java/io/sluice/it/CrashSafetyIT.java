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
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash safety at process level: {@code sluice broker} and {@code sluice run} in their own JVMs,
 * 500 requests with the provider at 300 ms, {@code kill -9} of the gateway while calls are in
 * flight, and a restart. Under exactly_once_v2 every request gets exactly one response (read
 * committed); under at_least_once, at least one.
 */
@Tag("integration")
class CrashSafetyIT {
  private static final int SESSIONS = 100;
  private static final int PER_SESSION = 5;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"exactly_once_v2", "at_least_once"})
  void shouldAnswerEveryAcceptedRequestAfterAKill9(String guarantee, @TempDir Path dir)
      throws Exception {
    int port = freePort();
    Path logs = Path.of("target/crash-it-" + guarantee);
    try (LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(300, 0, 0, "500", 1, 0)));
        SluiceProcess broker =
            SluiceProcess.start(
                    logs.resolve("broker.log"),
                    "broker",
                    "--port",
                    String.valueOf(port),
                    "--data-dir",
                    dir.resolve("kafka").toString(),
                    "--registry-port",
                    "0")
                .awaitOutput("Ready", Duration.ofSeconds(90))) {
      assertThat(broker.alive()).isTrue();
      String bootstrap = "127.0.0.1:" + port;
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(
          config,
          """
          kafka:
            bootstrap_servers: %s
            application_id: crash-it
            processing_guarantee: %s
            state_dir: %s
            instance_id: crash-it-1
          topics:
            partitions: 4
          providers:
            sim: {type: openai, base_url: "%s/v1", timeout_ms: 5000, max_concurrency: 256}
          models:
            gpt: {deployments: [{provider: sim, model: sim-gpt}]}
          http: {port: 0}
          """
              .formatted(bootstrap, guarantee, dir.resolve("state"), sim.url()));

      // Given a gateway process working through 500 requests
      SluiceProcess gateway =
          SluiceProcess.start(logs.resolve("gateway-1.log"), "run", "--config", config.toString());
      gateway.awaitOutput("Sluice gateway running", Duration.ofSeconds(90));
      sendRequests(bootstrap);
      try (Topics.Reader<Response> reader = Topics.responses(bootstrap, "llm.responses")) {
        await().atMost(Duration.ofSeconds(120)).until(() -> reader.poll().size() >= 60);

        // When it is killed with calls in flight, then started again
        long inFlight = sim.statsJson().get("in_flight").asLong();
        gateway.kill9();
        assertThat(inFlight).as("provider calls in flight at the kill").isPositive();
        try (SluiceProcess again =
            SluiceProcess.start(
                logs.resolve("gateway-2.log"), "run", "--config", config.toString())) {
          // Then every request is answered
          await()
              .atMost(Duration.ofSeconds(180))
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () ->
                      reader.poll().stream().map(Response::getRequestId).distinct().count()
                          == SESSIONS * PER_SESSION);
          assertThat(again.alive()).as("the restarted gateway keeps running").isTrue();
          long quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
          while (System.nanoTime() < quietUntil) {
            reader.poll();
          }
        }
        Map<String, Integer> counts = new HashMap<>();
        for (Response r : reader.values()) {
          assertThat(r.getStatus()).as(r.getRequestId()).isEqualTo(ResponseStatus.OK);
          counts.merge(r.getRequestId(), 1, Integer::sum);
        }
        assertThat(counts).hasSize(SESSIONS * PER_SESSION);
        if (guarantee.equals("exactly_once_v2")) {
          assertThat(counts.values())
              .as("responses per request under exactly-once")
              .containsOnly(1);
        } else {
          assertThat(counts.values())
              .as("responses per request under at-least-once")
              .allMatch(n -> n >= 1);
        }
      }
    }
  }

  private static void sendRequests(String bootstrap) {
    ConfluentAvroSerde<Request> serde =
        ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled());
    try (KafkaProducer<String, Request> producer =
        new KafkaProducer<>(
            Topics.producerProps(bootstrap), new StringSerializer(), serde.serializer())) {
      for (int turn = 0; turn < PER_SESSION; turn++) {
        for (int s = 0; s < SESSIONS; s++) {
          String session = "crash-" + s;
          producer.send(
              new ProducerRecord<>(
                  "llm.requests",
                  session,
                  Request.newBuilder()
                      .setRequestId(session + "-" + turn)
                      .setSessionId(session)
                      .setModel("gpt")
                      .setMessages(
                          List.of(new ChatMessage("user", "turn " + turn, null, null, List.of())))
                      .setCreatedAt(Instant.now())
                      .setTimeoutMs(600_000L)
                      .build()));
        }
      }
      producer.flush();
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
