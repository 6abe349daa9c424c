package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.Usage;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenant limits hold across two instances of one application together, and a budget survives the
 * loss of every instance's local state (restored from the changelog, as after a kill -9 under
 * exactly-once).
 */
@Tag("integration")
class AdmissionIT {
  private static final String YAML =
      """
      kafka: {bootstrap_servers: "%s", application_id: admission-it, state_dir: "%s"}
      topics: {partitions: 4}
      providers: {sim: {type: openai, base_url: "%s/v1"}}
      models:
        gpt:
          deployments: [{provider: sim, model: m, price_per_mtok: {input: 1000, output: 1000}}]
      cache: {enabled: false}
      tenants:
        acme: {rpm: 100}
        other: {models: ["*"]}
        payer: {budget_usd: 0.05, budget_period: month}
        single: {max_parallel: 1}
      http: {port: 0}
      """;

  @Test
  void shouldHoldARateLimitExactlyAcrossTwoInstancesAndABudgetAcrossALossOfState(@TempDir Path dir)
      throws Exception {
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(5, 0, 0, "500", 1, 0)))) {
      String bootstrap = broker.bootstrapServers();
      SluiceConfig one = config(bootstrap, dir.resolve("one"), sim);
      SluiceConfig two = config(bootstrap, dir.resolve("two"), sim);
      try (Topics.Reader<Response> responses = Topics.responses(bootstrap, "llm.responses");
          KafkaProducer<String, Request> producer =
              new KafkaProducer<>(
                  Topics.producerProps(bootstrap),
                  new StringSerializer(),
                  ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled())
                      .serializer())) {
        try (SluiceApp a = SluiceApp.start(one);
            SluiceApp b = SluiceApp.start(two)) {
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () ->
                      a.state() == KafkaStreams.State.RUNNING
                          && b.state() == KafkaStreams.State.RUNNING);
          // a first request answered: both instances' tasks and the transactions are warm
          send(producer, "warm", "warm", "other");
          await().atMost(Duration.ofSeconds(60)).until(() -> answered(responses, "warm"));

          // Given a tenant with rpm 100; When 300 of its requests over 150 sessions arrive
          // within a few seconds, spread over both instances, with 50 of another tenant's
          for (int i = 0; i < 300; i++) {
            send(producer, "acme-" + i, "acme-s" + (i % 150), "acme");
            if (i % 6 == 0) {
              send(producer, "other-" + i, "other-s" + i, "other");
            }
          }
          producer.flush();
          await()
              .atMost(Duration.ofSeconds(90))
              .until(() -> responses.poll().size() >= 1 + 300 + 50);

          // Then exactly 100 are answered and 200 refused rate_limited with a retry time
          List<Response> acme = of(responses, "acme-");
          assertThat(acme).hasSize(300);
          assertThat(acme).filteredOn(r -> r.getStatus() == ResponseStatus.OK).hasSize(100);
          assertThat(acme)
              .filteredOn(r -> r.getStatus() == ResponseStatus.REJECTED)
              .hasSize(200)
              .allSatisfy(
                  r -> {
                    assertThat(r.getError().getCode()).isEqualTo("rate_limited");
                    assertThat(r.getError().getRetryAfterMs()).isPositive();
                  });
          // and the other tenant is not affected
          assertThat(of(responses, "other-"))
              .hasSize(50)
              .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK));
          // and both instances' metrics add up to the same
          assertThat(refusedRpm(a) + refusedRpm(b)).isEqualTo(200.0);

          // Given a tenant with max_parallel 1; When it sends one request after another's answer
          for (int i = 0; i < 5; i++) {
            String id = "single-" + i;
            send(producer, id, "single-s" + i, "single");
            producer.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> answered(responses, id));
          }
          // Then every one is admitted: each answer's release, through the releases topic,
          // freed the slot for the next
          assertThat(of(responses, "single-"))
              .hasSize(5)
              .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK));

          // Given a tenant with a budget of 0.05 USD; When it sends one request at a time
          String refusedAt = null;
          for (int i = 0; i < 30 && refusedAt == null; i++) {
            String id = "pay-" + i;
            send(producer, id, "pay-s" + i, "payer");
            producer.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> answered(responses, id));
            Response r = of(responses, id).get(0);
            if (r.getStatus() == ResponseStatus.REJECTED) {
              assertThat(r.getError().getCode()).isEqualTo("budget_exceeded");
              refusedAt = id;
            }
          }
          // Then it is refused once its spend reaches the budget
          assertThat(refusedAt).as("a request refused for the budget").isNotNull();
          // and the spend in llm.usage passes the budget by at most the one call in flight
          double spent = spend(bootstrap, "payer");
          double oneCall =
              of(responses, "pay-").stream().mapToDouble(Response::getCostUsd).max().orElse(0);
          assertThat(spent).isGreaterThanOrEqualTo(0.05).isLessThan(0.05 + oneCall + 1e-9);
        }

        // When every instance stops and its local state is lost (as exactly-once discards it
        // after a kill -9), and one starts again
        deleteTree(dir.resolve("one"));
        deleteTree(dir.resolve("two"));
        try (SluiceApp again = SluiceApp.start(one)) {
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> again.state() == KafkaStreams.State.RUNNING);
          send(producer, "pay-after", "pay-after", "payer");
          producer.flush();
          await().atMost(Duration.ofSeconds(60)).until(() -> answered(responses, "pay-after"));

          // Then the budget is still spent: it was restored from the changelog
          Response r = of(responses, "pay-after").get(0);
          assertThat(r.getStatus()).isEqualTo(ResponseStatus.REJECTED);
          assertThat(r.getError().getCode()).isEqualTo("budget_exceeded");
        }
      }
    }
  }

  private static SluiceConfig config(String bootstrap, Path state, LlmSimulator sim) {
    return SluiceConfig.parse(YAML.formatted(bootstrap, state, sim.url()), "it.yaml", Map.of());
  }

  private static boolean answered(Topics.Reader<Response> reader, String id) {
    return reader.poll().stream().anyMatch(r -> r.getRequestId().equals(id));
  }

  private static List<Response> of(Topics.Reader<Response> reader, String prefix) {
    return reader.values().stream().filter(r -> r.getRequestId().startsWith(prefix)).toList();
  }

  private static double refusedRpm(SluiceApp app) {
    var c =
        app.metrics()
            .find("sluice.admission.requests")
            .tags("tenant", "acme", "outcome", "refused", "limit", "rpm")
            .counter();
    return c == null ? 0 : c.count();
  }

  private static double spend(String bootstrap, String tenant) {
    try (Topics.Reader<Usage> usage = new Topics.Reader<>(bootstrap, "llm.usage", Usage.class)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> usage.poll().size() > 0 && usage.caughtUp());
      return usage.values().stream()
          .filter(u -> tenant.equals(u.getTenantId()))
          .mapToDouble(Usage::getCostUsd)
          .sum();
    }
  }

  private static void send(
      KafkaProducer<String, Request> producer, String id, String session, String tenant) {
    producer.send(
        new ProducerRecord<>(
            "llm.requests",
            session,
            Request.newBuilder()
                .setRequestId(id)
                .setSessionId(session)
                .setTenantId(tenant)
                .setModel("gpt")
                .setUseHistory(false)
                .setMessages(
                    List.of(new ChatMessage("user", "question " + id, null, null, List.of())))
                .setCreatedAt(Instant.now())
                .build()));
  }

  private static void deleteTree(Path root) throws Exception {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
