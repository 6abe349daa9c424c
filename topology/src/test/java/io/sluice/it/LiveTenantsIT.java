package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.FrontDoors;
import io.sluice.app.SluiceApp;
import io.sluice.cli.SluiceCli;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.frontdoor.FrontDoor;
import io.sluice.frontdoor.auth.ApiKeyAuthenticator;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live configuration of tenants on a real gateway and front door: one {@code sluice config apply}
 * lowers a tenant's rpm, turns PII masking on for another and moves a configured API key, and the
 * running instance enforces, masks and authenticates by it without a restart.
 */
@Tag("integration")
class LiveTenantsIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String EMAIL = "carol.live@example.com";

  /** The file: kafka, providers, models; then the tenants given. */
  private static final String FILE =
      """
      kafka:
        bootstrap_servers: "%s"
        application_id: live-tenants-it
        processing_guarantee: at_least_once
        state_dir: "%s"
      topics: {partitions: 1}
      providers:
        sim: {type: openai, base_url: "%s/v1", api_key: k}
      models:
        gpt: {deployments: [{provider: sim, model: sim-gpt}]}
      cache: {enabled: false}
      http: {port: 0}
      front_door: {port: 0, auth: keys, instance_id: 0}
      tenants:
      %s
      """;

  @Test
  void shouldEnforceMaskAndAuthenticateByTheVersionAppliedWithoutARestart(@TempDir Path dir)
      throws Exception {
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(0, 0, 0, "500", 1, 0)))) {
      String bootstrap = broker.bootstrapServers();
      String keyA = ApiKeyAuthenticator.sha256Hex("sk-live-acme");
      String keyB = ApiKeyAuthenticator.sha256Hex("sk-live-beta");
      // Given a gateway where acme has rpm 1000 and a key, and beta has no key and no PII masking
      Path first = dir.resolve("sluice.yaml");
      Files.writeString(
          first,
          FILE.formatted(
              bootstrap,
              dir.resolve("state"),
              sim.url(),
              "  acme: {models: [gpt], rpm: 1000, api_keys: [\""
                  + keyA
                  + "\"]}\n"
                  + "  beta: {models: [gpt]}"));
      SluiceConfig config = SluiceConfig.load(first);
      try (SluiceApp app = Topics.startGateway(bootstrap, config);
          FrontDoor door =
              FrontDoors.start(
                  config, CatalogSchemaRegistry.bundled(), app.metrics(), app.configInForce());
          Topics.Reader<Response> responses = Topics.responses(bootstrap, "llm.responses");
          KafkaProducer<String, Request> producer =
              new KafkaProducer<>(
                  Topics.producerProps(bootstrap),
                  new StringSerializer(),
                  ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled())
                      .serializer())) {
        // (one answer first: the first calls on a fresh broker are slow)
        producer.send(record(request("warm", "acme", "hello")));
        await().atMost(Duration.ofSeconds(90)).until(() -> answered(responses, "warm"));
        assertThat(chat(door, "sk-live-acme").statusCode()).isEqualTo(200);
        assertThat(chat(door, "sk-live-beta").statusCode()).isEqualTo(401);

        // When `sluice config apply` lowers acme's rpm to 2 (two requests counted this minute),
        // turns PII masking on for beta and gives beta a key in place of acme's
        Path next = dir.resolve("next.yaml");
        Files.writeString(
            next,
            FILE.formatted(
                bootstrap,
                dir.resolve("state"),
                sim.url(),
                "  acme: {models: [gpt], rpm: 2}\n"
                    + "  beta: {models: [gpt], api_keys: [\""
                    + keyB
                    + "\"], guardrails: {pii: {mode: mask}}}"));
        assertThat(SluiceCli.execute("config", "apply", next.toString())).isZero();

        // Then within 5 s the instance has the version in force, with no restart
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> app.configInForce().current().version() == 1);

        // and acme's later requests are REJECTED rate_limited with a retry time
        for (int i = 0; i < 4; i++) {
          producer.send(record(request("acme-" + i, "acme", "hello " + i)));
        }
        // and beta's prompt reaches the provider masked
        producer.send(record(request("beta-1", "beta", "mail me at " + EMAIL)));
        producer.flush();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    answered(responses, "beta-1")
                        && List.of("acme-0", "acme-1", "acme-2", "acme-3").stream()
                            .allMatch(id -> answered(responses, id)));
        List<Response> seen = responses.values();
        List<Response> acme =
            seen.stream().filter(r -> r.getRequestId().startsWith("acme-")).toList();
        List<Response> limited =
            acme.stream().filter(r -> r.getStatus() == ResponseStatus.REJECTED).toList();
        assertThat(acme.size() - limited.size()).as("admitted under rpm 2").isLessThanOrEqualTo(2);
        assertThat(limited).hasSizeGreaterThanOrEqualTo(2);
        assertThat(limited)
            .allSatisfy(
                r -> {
                  assertThat(r.getError().getCode()).isEqualTo("rate_limited");
                  assertThat(r.getError().getRetryAfterMs()).isPositive();
                });
        assertThat(seen.stream().filter(r -> r.getRequestId().equals("beta-1")))
            .singleElement()
            .satisfies(r -> assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK));
        String provider =
            HTTP.send(
                    HttpRequest.newBuilder(URI.create(sim.url() + "/admin/requests")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(provider).contains("mail me at [EMAIL_").doesNotContain(EMAIL);

        // and the front door takes beta's new key and refuses acme's removed one
        assertThat(chat(door, "sk-live-beta").statusCode()).isEqualTo(200);
        assertThat(chat(door, "sk-live-acme").statusCode()).isEqualTo(401);
      }
    }
  }

  private static boolean answered(Topics.Reader<Response> responses, String id) {
    return responses.poll().stream().anyMatch(r -> r.getRequestId().equals(id));
  }

  private static ProducerRecord<String, Request> record(Request r) {
    return new ProducerRecord<>("llm.requests", r.getSessionId(), r);
  }

  private static Request request(String id, String tenant, String text) {
    return Request.newBuilder()
        .setRequestId(id)
        .setSessionId("s-" + id)
        .setTenantId(tenant)
        .setModel("gpt")
        .setMessages(List.of(new ChatMessage("user", text, null, null, List.of())))
        .setCreatedAt(Instant.now())
        .build();
  }

  private static HttpResponse<String> chat(FrontDoor door, String key) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(door.url() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(60))
            .header("content-type", "application/json")
            .header("authorization", "Bearer " + key)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
