package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.FrontDoors;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.frontdoor.FrontDoor;
import io.sluice.frontdoor.auth.ApiKeyAuthenticator;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The front door on a real embedded broker with the real topology and the simulator, called with
 * the JDK's plain HttpClient: server-level behaviour (limits, auth, errors, a sync call answered
 * through the reply partition with its headers). The SDK-level tests are the wire package's.
 */
@Tag("integration")
class FrontDoorIT {
  private static final String KEY = "sk-front-door-it";
  private static final String CHAT =
      "{\"model\":\"gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello door\"}]}";

  private static EmbeddedKafkaBroker broker;
  private static LlmSimulator sim;
  private static LlmSimulator hanging;
  private static SluiceApp app;
  private static FrontDoor door;
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
    sim =
        LlmSimulator.start(LlmSimulator.Options.loopback(0, new SimFaults(20, 0, 0, "500", 1, 0)));
    hanging =
        LlmSimulator.start(LlmSimulator.Options.loopback(0, new SimFaults(0, 0, 1, "hang", 1, 0)));
    Path state = Files.createTempDirectory("sluice-front-door-it");
    String yaml =
        """
        kafka:
          bootstrap_servers: %s
          application_id: front-door-it
          state_dir: %s
        topics:
          partitions: 2
        providers:
          ok: {type: openai, base_url: "%s/v1", api_key: k}
          hang: {type: openai, base_url: "%s/v1", api_key: k, timeout_ms: 2000}
        models:
          gpt: {deployments: [{provider: ok, model: sim-gpt}]}
          slow: {deployments: [{provider: hang, model: sim-hang}], retries: 0}
        tenants:
          it: {models: ["*"], api_keys: ["%s"]}
        http: {port: 0}
        front_door:
          port: 0
          auth: keys
          max_in_flight: 2
          max_body_bytes: 65536
          instance_id: 1
        """
            .formatted(
                broker.bootstrapServers(),
                state,
                sim.url(),
                hanging.url(),
                ApiKeyAuthenticator.sha256Hex(KEY));
    SluiceConfig config = SluiceConfig.parse(yaml, "front-door-it.yaml", Map.of());
    ensureRepliesTopic(FrontDoors.repliesTopic(config));
    app = Topics.startGateway(broker.bootstrapServers(), config);
    door = FrontDoors.start(config, CatalogSchemaRegistry.bundled(), app.metrics());
  }

  /** The reply topic, if this config's topic setup does not create it. */
  private static void ensureRepliesTopic(String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      if (!admin.listTopics().names().get().contains(topic)) {
        admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();
      }
    }
  }

  @AfterAll
  static void stop() {
    if (door != null) {
      door.close();
    }
    if (app != null) {
      app.close();
    }
    sim.close();
    hanging.close();
    broker.close();
  }

  private static HttpRequest.Builder chat(String body) {
    return HttpRequest.newBuilder(URI.create(door.url() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .header("authorization", "Bearer " + KEY)
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static HttpResponse<String> send(HttpRequest r) throws Exception {
    return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswerASyncOpenAiCallThroughTheReplyPartitionWithItsHeaders() throws Exception {
    // When
    CompletableFuture<HttpResponse<String>> call =
        HTTP.sendAsync(
            chat(CHAT).header("Idempotency-Key", "door-it-1").build(),
            HttpResponse.BodyHandlers.ofString());

    // Then the request went through Kafka like any other and its answer is recorded
    try (Topics.Reader<Response> responses =
        Topics.responses(broker.bootstrapServers(), "llm.responses")) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  responses.poll().stream()
                      .anyMatch(
                          x ->
                              "door-it-1".equals(x.getRequestId())
                                  && x.getStatus() == ResponseStatus.OK
                                  && "it".equals(x.getTenantId())));
    }
    HttpResponse<String> r = call.get();
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("chat.completion").contains("door-it-1");
    assertThat(r.headers().firstValue("x-request-id")).hasValue("door-it-1");
    assertThat(r.headers().firstValue("x-sluice-provider")).hasValue("ok");
    assertThat(r.headers().firstValue("x-sluice-cache-hit")).isPresent();
    assertThat(r.headers().firstValue("x-sluice-attempts")).hasValue("1");
    assertThat(r.headers().firstValue("x-sluice-trace-id")).isPresent();
    assertThat(Long.parseLong(r.headers().firstValue("x-sluice-overhead-ms").orElseThrow()))
        .isGreaterThanOrEqualTo(0);
    String metrics =
        send(HttpRequest.newBuilder(URI.create(app.adminUrl() + "/metrics")).build()).body();
    assertThat(metrics)
        .contains("sluice_front_door_requests_total{route=\"chat_completions\",status=\"200\"}")
        .contains("sluice_front_door_overhead_milliseconds_bucket");
  }

  @Test
  void shouldRefuseAMissingKeyWith401() throws Exception {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create(door.url() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT))
                .build());

    assertThat(r.statusCode()).isEqualTo(401);
  }

  @Test
  void shouldAnswer400ForABodyThatIsNotJson() throws Exception {
    HttpResponse<String> r = send(chat("{\"model\": ").build());

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("error");
  }

  @Test
  void shouldAnswer413ForABodyOverTheLimit() throws Exception {
    String big = CHAT.replace("Hello door", "x".repeat(100_000));

    HttpResponse<String> r = send(chat(big).build());

    assertThat(r.statusCode()).isEqualTo(413);
  }

  @Test
  void shouldAnswer503WithRetryAfterWhenAtCapacity() throws Exception {
    // Given two calls in flight to a provider that hangs (max_in_flight 2)
    String slow = CHAT.replace("\"gpt\"", "\"slow\"");
    HttpRequest held = chat(slow).header("x-sluice-timeout-ms", "3000").build();
    CompletableFuture<HttpResponse<String>> a =
        HTTP.sendAsync(held, HttpResponse.BodyHandlers.ofString());
    CompletableFuture<HttpResponse<String>> b =
        HTTP.sendAsync(held, HttpResponse.BodyHandlers.ofString());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> app.metrics().get("sluice.front.door.in.flight").gauge().value() == 2.0);

    // When
    HttpResponse<String> third = send(chat(CHAT).build());

    // Then
    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(third.headers().firstValue("retry-after")).hasValue("1");
    // the two held calls end (their deadline passed) and free their slots
    assertThat(a.get().statusCode()).isGreaterThanOrEqualTo(500);
    assertThat(b.get().statusCode()).isGreaterThanOrEqualTo(500);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> app.metrics().get("sluice.front.door.in.flight").gauge().value() == 0.0);
  }
}
