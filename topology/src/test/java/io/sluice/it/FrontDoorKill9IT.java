package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.Response;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front door through a crash: {@code sluice broker} and {@code sluice run} (with its front
 * door) in their own JVMs, 500 HTTP calls in flight with an {@code Idempotency-Key} each, {@code
 * kill -9} of the gateway (50 provider calls of 1.5 s at a time, so most are still queued or in
 * flight when it dies), a restart, and the client retrying every call that failed with the same
 * key. Every key ends with exactly one answer (exactly_once_v2: one non-replayed Response per
 * request id on llm.responses), and a retry of an answered key makes no new provider call.
 */
@Tag("integration")
class FrontDoorKill9IT {
  private static final int CALLS = 500;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @SuppressWarnings("try") // the broker process is held open by the try and closed after it
  void givenCallsInFlight_whenKilledAndRetriedWithTheirKeys_thenEachKeyGetsExactlyOneAnswer(
      @TempDir Path dir) throws Exception {
    int kafkaPort = freePort();
    int doorPort = freePort();
    Path logs = Path.of("target/front-door-kill9-it");
    ExecutorService callbacks = Executors.newFixedThreadPool(4);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(callbacks)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String base = "http://127.0.0.1:" + doorPort + "/v1";
    try (LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(1500, 0, 0, "500", 1, 0)));
        SluiceProcess broker =
            SluiceProcess.start(
                    logs.resolve("broker.log"),
                    "broker",
                    "--port",
                    String.valueOf(kafkaPort),
                    "--data-dir",
                    dir.resolve("kafka").toString(),
                    "--registry-port",
                    "0")
                .awaitOutput("Ready", Duration.ofSeconds(90))) {
      String bootstrap = "127.0.0.1:" + kafkaPort;
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(
          config,
          """
          kafka:
            bootstrap_servers: %s
            application_id: door-kill9-it
            processing_guarantee: exactly_once_v2
            state_dir: %s
            instance_id: door-kill9-it-1
          topics:
            partitions: 4
          providers:
            sim: {type: openai, base_url: "%s/v1", timeout_ms: 10000, max_concurrency: 50}
          models:
            gpt: {deployments: [{provider: sim, model: sim-gpt}]}
          http: {port: 0}
          front_door: {host: 127.0.0.1, port: %d, auth: none, instance_id: 0, max_in_flight: 2000}
          """
              .formatted(bootstrap, dir.resolve("state"), sim.url(), doorPort));

      // Given a gateway with its front door, and 500 calls in flight, each with its own key
      SluiceProcess gateway =
          SluiceProcess.start(logs.resolve("gateway-1.log"), "run", "--config", config.toString());
      awaitDoor(http, base, gateway);
      Map<String, String> answered = new ConcurrentHashMap<>();
      List<CompletableFuture<Void>> first =
          IntStream.range(0, CALLS).mapToObj(i -> call(http, base, "key-" + i, answered)).toList();
      await().atMost(Duration.ofSeconds(120)).until(() -> answered.size() >= 60);

      // When the gateway is killed with calls in flight, and started again
      long inFlight = sim.statsJson().get("in_flight").asLong();
      gateway.kill9();
      CompletableFuture.allOf(first.toArray(CompletableFuture[]::new)).join();
      int beforeRestart = answered.size();
      assertThat(beforeRestart).as("answered before the kill").isLessThan(CALLS);
      assertThat(inFlight).as("provider calls in flight at the kill").isPositive();
      try (SluiceProcess again =
          SluiceProcess.start(
              logs.resolve("gateway-2.log"), "run", "--config", config.toString())) {
        awaitDoor(http, base, again);

        // and every client whose call failed retries it with the same key until it is answered
        await()
            .atMost(Duration.ofSeconds(240))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> {
                  List<CompletableFuture<Void>> retries =
                      IntStream.range(0, CALLS)
                          .mapToObj(i -> "key-" + i)
                          .filter(k -> !answered.containsKey(k))
                          .map(k -> call(http, base, k, answered))
                          .toList();
                  CompletableFuture.allOf(retries.toArray(CompletableFuture[]::new)).join();
                  return answered.size() == CALLS;
                });

        // Then each key's answer is its own
        answered.forEach((key, id) -> assertThat(id).as(key).isEqualTo(key));

        // and a retry of an answered key is the first answer again, with no new provider call
        long providerCalls = sim.statsJson().get("requests").asLong();
        Map<String, String> replayed = new ConcurrentHashMap<>();
        CompletableFuture.allOf(
                IntStream.range(0, 50)
                    .mapToObj(i -> call(http, base, "key-" + i, replayed))
                    .toArray(CompletableFuture[]::new))
            .join();
        assertThat(replayed).hasSize(50);
        assertThat(sim.statsJson().get("requests").asLong())
            .as("provider calls after retrying 50 answered keys")
            .isEqualTo(providerCalls);
      }

      // and llm.responses holds exactly one first answer per key (exactly-once, read committed)
      try (Topics.Reader<Response> reader = Topics.responses(bootstrap, "llm.responses")) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    reader.poll().stream()
                            .filter(r -> !r.getReplayed())
                            .map(Response::getRequestId)
                            .distinct()
                            .count()
                        == CALLS);
        Map<String, Integer> firstAnswers = new HashMap<>();
        for (Response r : reader.values()) {
          if (!r.getReplayed()) {
            firstAnswers.merge(r.getRequestId(), 1, Integer::sum);
          }
        }
        assertThat(firstAnswers).hasSize(CALLS);
        assertThat(firstAnswers.values()).as("first answers per key").containsOnly(1);
      }
    } finally {
      callbacks.shutdownNow();
    }
  }

  /** One call with {@code key}; records the answer's id when it is a 200, and nothing otherwise. */
  private static CompletableFuture<Void> call(
      HttpClient http, String base, String key, Map<String, String> answered) {
    String body =
        "{\"model\":\"gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"question for "
            + key
            + "\"}]}";
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .handle(
            (resp, err) -> {
              if (err == null && resp.statusCode() == 200) {
                try {
                  JsonNode json = JSON.readTree(resp.body());
                  answered.put(key, json.get("id").asText());
                } catch (Exception e) {
                  throw new IllegalStateException("unreadable answer for " + key, e);
                }
              }
              return null;
            });
  }

  private static void awaitDoor(HttpClient http, String base, SluiceProcess gateway) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .failFast("gateway exited", () -> !gateway.alive())
        .until(
            () ->
                http.send(
                            HttpRequest.newBuilder(URI.create(base + "/models"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode()
                    == 200);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
