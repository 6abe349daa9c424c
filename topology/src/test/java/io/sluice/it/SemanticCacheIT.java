package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.search.Search;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.Response;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The semantic cache across two instances: a paraphrase is answered from the answer another
 * instance cached, a near miss goes to the provider.
 */
@Tag("integration")
class SemanticCacheIT {
  private static final List<String> PARAPHRASES =
      List.of(
          "what's the capital of france?",
          "Which city is the capital of France?",
          "Tell me the capital of France.",
          "What is the capital city of France?");

  @Test
  void shouldAnswerParaphrasesFromEitherInstanceAndSendANearMissToTheProvider(@TempDir Path dir)
      throws Exception {
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(10, 0, 0, "500", 1, 0)))) {
      String bootstrap = broker.bootstrapServers();
      String yaml =
          """
          kafka: {bootstrap_servers: "%s", application_id: semantic-it, state_dir: "%s"}
          topics: {partitions: 4}
          providers: {sim: {type: openai, base_url: "%s/v1"}}
          models: {gpt: {deployments: [{provider: sim, model: m}]}}
          cache: {ttl: 10m, semantic: {enabled: true, models: [gpt]}}
          http: {port: 0}
          """;
      SluiceConfig one =
          SluiceConfig.parse(
              yaml.formatted(bootstrap, dir.resolve("one"), sim.url()), "one", Map.of());
      SluiceConfig two =
          SluiceConfig.parse(
              yaml.formatted(bootstrap, dir.resolve("two"), sim.url()), "two", Map.of());
      try (SluiceApp a = SluiceApp.start(one);
          SluiceApp b = SluiceApp.start(two);
          Topics.Reader<Response> reader = Topics.responses(bootstrap, "llm.responses");
          KafkaProducer<String, Request> producer =
              new KafkaProducer<>(
                  Topics.producerProps(bootstrap),
                  new StringSerializer(),
                  ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled())
                      .serializer())) {
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    a.state() == KafkaStreams.State.RUNNING
                        && b.state() == KafkaStreams.State.RUNNING);

        // Given one answer from the provider, indexed on both instances
        send(producer, "first", "session-0", "What is the capital of France?");
        await().atMost(Duration.ofSeconds(60)).until(() -> ids(reader.poll()).contains("first"));
        await().atMost(Duration.ofSeconds(30)).until(() -> indexed(a) == 1 && indexed(b) == 1);

        // When paraphrases arrive in twelve sessions, spread over both instances
        for (int i = 1; i <= 12; i++) {
          send(producer, "para-" + i, "session-" + i, PARAPHRASES.get(i % PARAPHRASES.size()));
        }
        // and a near miss
        send(producer, "near-miss", "session-99", "What is the capital of Germany?");
        producer.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> ids(reader.poll()).size() == 14);

        // Then every paraphrase is a semantic hit on the first answer, served by both instances
        List<Response> paraphrases =
            reader.values().stream().filter(r -> r.getRequestId().startsWith("para-")).toList();
        assertThat(paraphrases)
            .hasSize(12)
            .allSatisfy(
                r -> {
                  assertThat(r.getCacheHit()).isTrue();
                  assertThat(r.getContent()).isEqualTo("Echo: What is the capital of France?");
                  assertThat(r.getSemantic()).isNotNull();
                  assertThat(r.getSemantic().getMatchedRequestId()).isEqualTo("first");
                  assertThat(r.getSemantic().getSimilarity()).isGreaterThanOrEqualTo(0.8);
                });
        assertThat(hits(a)).as("instance one served some").isPositive();
        assertThat(hits(b)).as("instance two served some").isPositive();
        // and the near miss went to the provider
        Response nearMiss =
            reader.values().stream()
                .filter(r -> r.getRequestId().equals("near-miss"))
                .findFirst()
                .orElseThrow();
        assertThat(nearMiss.getCacheHit()).isFalse();
        assertThat(nearMiss.getSemantic()).isNull();
        assertThat(nearMiss.getContent()).isEqualTo("Echo: What is the capital of Germany?");
        assertThat(sim.statsJson().get("requests").asLong()).isEqualTo(2);
      }
    }
  }

  private static double indexed(SluiceApp app) {
    return app.metrics().get("sluice.semantic.index.entries").gauge().value();
  }

  private static double hits(SluiceApp app) {
    return Search.in(app.metrics())
        .name("sluice.semantic.lookups")
        .tag("outcome", "hit")
        .counters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static Set<String> ids(List<Response> rs) {
    return rs.stream().map(Response::getRequestId).collect(Collectors.toSet());
  }

  private static void send(
      KafkaProducer<String, Request> producer, String id, String session, String text) {
    producer.send(
        new ProducerRecord<>(
            "llm.requests",
            session,
            Request.newBuilder()
                .setRequestId(id)
                .setSessionId(session)
                .setTenantId("acme")
                .setModel("gpt")
                .setMessages(List.of(new ChatMessage("user", text, null, null, List.of())))
                .setParams(new RequestParams(0.0, null, null, List.of(), null, Map.of()))
                .setCreatedAt(Instant.now())
                .build()));
  }
}
