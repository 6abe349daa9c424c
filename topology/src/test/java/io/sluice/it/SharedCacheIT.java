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

/** The response cache is shared by every instance: one provider call, the rest cache hits. */
@Tag("integration")
class SharedCacheIT {

  @Test
  void shouldCallTheProviderOnceForIdenticalDeterministicRequestsAcrossTwoInstances(
      @TempDir Path dir) throws Exception {
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(10, 0, 0, "500", 1, 0)))) {
      String bootstrap = broker.bootstrapServers();
      String yaml =
          """
          kafka: {bootstrap_servers: "%s", application_id: cache-it, state_dir: "%s"}
          topics: {partitions: 4}
          providers: {sim: {type: openai, base_url: "%s/v1"}}
          models: {gpt: {deployments: [{provider: sim, model: m}]}}
          cache: {ttl: 10m}
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
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    a.state() == KafkaStreams.State.RUNNING
                        && b.state() == KafkaStreams.State.RUNNING);

        // Given one deterministic request answered by a provider, its answer in both instances'
        // caches
        send(producer, "first", "session-0");
        await().atMost(Duration.ofSeconds(60)).until(() -> ids(reader.poll()).contains("first"));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> a.cacheEntries(10) == 1 && b.cacheEntries(10) == 1);

        // When twenty identical requests arrive in twenty sessions, spread over both instances
        for (int i = 1; i <= 20; i++) {
          send(producer, "same-" + i, "session-" + i);
        }
        producer.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> ids(reader.poll()).size() == 21);

        // Then they are all cache hits and the simulator saw one call
        List<Response> hits =
            reader.values().stream().filter(r -> r.getRequestId().startsWith("same-")).toList();
        assertThat(hits)
            .hasSize(20)
            .allSatisfy(
                r -> {
                  assertThat(r.getCacheHit()).isTrue();
                  assertThat(r.getContent()).isEqualTo("Echo: what is the capital of France?");
                });
        assertThat(sim.statsJson().get("requests").asLong()).isEqualTo(1);
        assertThat(
                a.metrics().get("sluice.cache.hits").counters().stream()
                        .mapToDouble(c -> c.count())
                        .sum()
                    + b.metrics().get("sluice.cache.hits").counters().stream()
                        .mapToDouble(c -> c.count())
                        .sum())
            .isEqualTo(20.0);
        assertThat(a.metrics().find("sluice.cache.hits").counters())
            .as("instance one served some")
            .isNotEmpty();
        assertThat(b.metrics().find("sluice.cache.hits").counters())
            .as("instance two served some")
            .isNotEmpty();
      }
    }
  }

  private static Set<String> ids(List<Response> rs) {
    return rs.stream().map(Response::getRequestId).collect(Collectors.toSet());
  }

  private static void send(KafkaProducer<String, Request> producer, String id, String session) {
    producer.send(
        new ProducerRecord<>(
            "llm.requests",
            session,
            Request.newBuilder()
                .setRequestId(id)
                .setSessionId(session)
                .setTenantId("acme")
                .setModel("gpt")
                .setMessages(
                    List.of(
                        new ChatMessage(
                            "user", "what is the capital of France?", null, null, List.of())))
                .setParams(new RequestParams(0.0, null, null, List.of(), null, Map.of()))
                .setCreatedAt(Instant.now())
                .build()));
  }
}
