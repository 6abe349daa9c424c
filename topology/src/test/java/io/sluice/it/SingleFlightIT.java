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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single-flight on the real broker and simulator: a stampede of identical cacheable requests in
 * twenty sessions (spread over four partitions) makes one provider call.
 */
@Tag("integration")
class SingleFlightIT {
  private static final String QUESTION = "what is the capital of France?";

  @Test
  void shouldCallTheProviderOnceForTwentyIdenticalRequestsInFlightTogether(@TempDir Path dir)
      throws Exception {
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim = LlmSimulator.start(LlmSimulator.Options.loopback(0, SimFaults.NONE))) {
      String bootstrap = broker.bootstrapServers();
      SluiceConfig config =
          SluiceConfig.parse(
              """
              kafka: {bootstrap_servers: "%s", application_id: single-flight-it, state_dir: "%s"}
              topics: {partitions: 4}
              providers: {sim: {type: openai, base_url: "%s/v1"}}
              models: {gpt: {deployments: [{provider: sim, model: m}]}}
              cache: {ttl: 10m}
              http: {port: 0}
              """
                  .formatted(bootstrap, dir, sim.url()),
              "single-flight-it",
              Map.of());
      try (SluiceApp app = Topics.startGateway(bootstrap, config);
          Topics.Reader<Response> reader = Topics.responses(bootstrap, "llm.responses");
          KafkaProducer<String, Request> producer =
              new KafkaProducer<>(
                  Topics.producerProps(bootstrap),
                  new StringSerializer(),
                  ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled())
                      .serializer())) {
        // Given a warm gateway (one unrelated request answered) and a provider that takes 2 s
        send(producer, "warm-up", "session-0", "hello");
        await().atMost(Duration.ofSeconds(60)).until(() -> ids(reader.poll()).contains("warm-up"));
        sim.faults(new SimFaults(2000, 0, 0.0, "500", 1, 0));
        long before = sim.statsJson().get("requests").asLong();

        // When twenty identical cacheable requests of twenty sessions are produced at once
        for (int i = 1; i <= 20; i++) {
          send(producer, "same-" + i, "session-" + i, QUESTION);
        }
        producer.flush();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    ids(reader.poll()).stream().filter(id -> id.startsWith("same-")).count() == 20);

        // Then the simulator saw one call, and each request has its own answer, 19 of them
        // marked as sharing the one call
        List<Response> answers =
            reader.values().stream().filter(r -> r.getRequestId().startsWith("same-")).toList();
        assertThat(sim.statsJson().get("requests").asLong() - before).isEqualTo(1);
        assertThat(answers).extracting(Response::getRequestId).doesNotHaveDuplicates().hasSize(20);
        assertThat(answers)
            .allSatisfy(r -> assertThat(r.getContent()).isEqualTo("Echo: " + QUESTION));
        Set<String> leaders =
            answers.stream()
                .filter(r -> r.getSharedCallOf() == null)
                .map(Response::getRequestId)
                .collect(Collectors.toSet());
        assertThat(leaders).hasSize(1);
        assertThat(answers)
            .filteredOn(r -> r.getSharedCallOf() != null)
            .hasSize(19)
            .allSatisfy(r -> assertThat(r.getSharedCallOf()).isIn(leaders));
        assertThat(answers.stream().mapToInt(Response::getAttempts).sum()).isEqualTo(1);
        assertThat(app.metrics().get("sluice.single.flight.shared").functionCounter().count())
            .isEqualTo(19.0);

        // And a later identical request, once the answer has reached the instance's cache (one
        // trip through llm.cache: the window the README describes), is a plain cache hit
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> app.cacheEntries(10) >= 2); // and warm-up
        send(producer, "later", "session-21", QUESTION);
        await().atMost(Duration.ofSeconds(30)).until(() -> ids(reader.poll()).contains("later"));
        Response later =
            reader.values().stream()
                .filter(r -> r.getRequestId().equals("later"))
                .findFirst()
                .get();
        assertThat(later.getCacheHit()).isTrue();
        assertThat(later.getSharedCallOf()).isNull();
        assertThat(sim.statsJson().get("requests").asLong() - before).isEqualTo(1);
      }
    }
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
