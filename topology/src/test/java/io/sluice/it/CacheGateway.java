package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The stale-state tests' gateway: four partitions, the response cache on, deterministic questions
 * (temperature 0) that the cache answers the second time. Test thread only.
 */
final class CacheGateway {
  static final int PARTITIONS = 4;
  static final String CACHE = "llm.cache";

  private CacheGateway() {}

  static SluiceConfig config(String bootstrap, Path state, LlmSimulator sim) {
    return SluiceConfig.parse(
        """
        kafka: {bootstrap_servers: "%s", application_id: stale-state-it, state_dir: "%s"}
        topics: {partitions: %d}
        providers: {sim: {type: openai, base_url: "%s/v1"}}
        models: {gpt: {deployments: [{provider: sim, model: m}]}}
        cache: {ttl: 10m}
        http: {port: 0}
        """
            .formatted(bootstrap, state, PARTITIONS, sim.url()),
        "stale-state-it",
        Map.of());
  }

  static LlmSimulator simulator() throws Exception {
    return LlmSimulator.start(
        LlmSimulator.Options.loopback(0, new SimFaults(10, 0, 0, "500", 1, 0)));
  }

  /** Sends {@code n} distinct questions and waits until all are answered and cached. */
  static void cacheAnswers(SluiceApp app, String bootstrap, int n) throws Exception {
    try (Topics.Reader<Response> reader = Topics.responses(bootstrap, "llm.responses");
        KafkaProducer<String, Request> producer = producer(bootstrap)) {
      for (int i = 0; i < n; i++) {
        send(producer, "old-" + i, "old-session-" + i, "question " + i);
      }
      producer.flush();
      await().atMost(Duration.ofSeconds(90)).until(() -> reader.poll().size() == n);
      await().atMost(Duration.ofSeconds(30)).until(() -> app.cacheEntries(100) == n);
    }
  }

  /**
   * One question answered by the provider (the stale cache entry for it is gone), then the same
   * question from another session answered by the cache: the global store is alive and fed by its
   * topic.
   */
  static void assertAnswersAndCaches(SluiceApp app, String bootstrap) throws Exception {
    assertThat(ask(bootstrap, "new-1", "question 0").getCacheHit())
        .as("the old cache entry is gone with the stale state")
        .isFalse();
    await().atMost(Duration.ofSeconds(30)).until(() -> app.cacheEntries(100) == 1);
    assertThat(ask(bootstrap, "new-2", "question 0").getCacheHit()).isTrue();
    assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
  }

  /** Sends one question in a session of its own and waits for its response. */
  static Response ask(String bootstrap, String id, String question) throws Exception {
    try (Topics.Reader<Response> reader = Topics.responses(bootstrap, "llm.responses");
        KafkaProducer<String, Request> producer = producer(bootstrap)) {
      send(producer, id, "session-" + id, question);
      producer.flush();
      await().atMost(Duration.ofSeconds(90)).until(() -> byId(reader.poll(), id) != null);
      return byId(reader.values(), id);
    }
  }

  /** {@code sluice_state_rebuilt_total{store="cache",reason}}, or -1 when it is not registered. */
  static double rebuilt(SluiceApp app, String reason) {
    var counter =
        app.metrics()
            .find("sluice.state.rebuilt")
            .tags("store", "cache", "reason", reason)
            .counter();
    return counter == null ? -1 : counter.count();
  }

  private static KafkaProducer<String, Request> producer(String bootstrap) {
    return new KafkaProducer<>(
        Topics.producerProps(bootstrap),
        new StringSerializer(),
        ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled()).serializer());
  }

  private static Response byId(List<Response> responses, String id) {
    return responses.stream().filter(r -> r.getRequestId().equals(id)).findFirst().orElse(null);
  }

  private static void send(
      KafkaProducer<String, Request> producer, String id, String session, String question) {
    producer.send(
        new ProducerRecord<>(
            "llm.requests",
            session,
            Request.newBuilder()
                .setRequestId(id)
                .setSessionId(session)
                .setTenantId("acme")
                .setModel("gpt")
                .setMessages(List.of(new ChatMessage("user", question, null, null, List.of())))
                .setParams(new RequestParams(0.0, null, null, List.of(), null, Map.of()))
                .setCreatedAt(Instant.now())
                .build()));
  }
}
