package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.SluiceApp;
import io.sluice.cli.SluiceCli;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
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
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class ReplayIT {

  @Test
  void shouldProcessOldRequestsAgainAfterReplayAndARestart(@TempDir Path dir) throws Exception {
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(5, 0, 0, "500", 1, 0)))) {
      String bootstrap = broker.bootstrapServers();
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(
          config,
          """
          kafka: {bootstrap_servers: "%s", application_id: replay-it, state_dir: "%s", instance_id: replay-1}
          topics: {partitions: 2}
          providers: {sim: {type: openai, base_url: "%s/v1"}}
          models: {gpt: {deployments: [{provider: sim, model: m}]}}
          http: {port: 0}
          """
              .formatted(bootstrap, dir.resolve("state"), sim.url()));
      SluiceConfig c = SluiceConfig.load(config);

      // Given two batches of requests, answered, with a moment between them
      try (Topics.Reader<Response> reader = Topics.responses(bootstrap, "llm.responses")) {
        // (the first batch's records carry a timestamp a minute old)
        Instant now = Instant.now();
        Instant between = now.minusSeconds(30);
        try (SluiceApp app = started(c)) {
          assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
          send(bootstrap, "a", 10, now.minusSeconds(60));
          send(bootstrap, "b", 10, now);
          awaitCounts(reader, 20, 1);
        }

        // When the app stops and replays from the moment between the batches
        assertThat(
                SluiceCli.execute(
                    "replay", "--config", config.toString(), "--to-datetime", between.toString()))
            .isZero();
        try (SluiceApp again = started(c)) {
          // Then only the second batch is answered again
          assertThat(again.state())
              .isIn(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> counted(reader).values().stream().mapToInt(i -> i).sum() == 30);
          Map<String, Integer> counts = counted(reader);
          for (int i = 0; i < 10; i++) {
            assertThat(counts.get("a-" + i)).as("a-" + i).isEqualTo(1);
            assertThat(counts.get("b-" + i)).as("b-" + i).isEqualTo(2);
          }
        }

        // And after a replay to the earliest record, every request is answered once more
        assertThat(SluiceCli.execute("replay", "--config", config.toString(), "--to-earliest"))
            .isZero();
        try (SluiceApp third = started(c)) {
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> counted(reader).values().stream().mapToInt(i -> i).sum() == 50);
          assertThat(third.state())
              .isIn(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
          Map<String, Integer> counts = counted(reader);
          for (int i = 0; i < 10; i++) {
            assertThat(counts.get("a-" + i)).isEqualTo(2);
            assertThat(counts.get("b-" + i)).isEqualTo(3);
          }
        }
      }
    }
  }

  private static SluiceApp started(SluiceConfig c) throws Exception {
    SluiceApp app = SluiceApp.start(c);
    await().atMost(Duration.ofSeconds(60)).until(() -> app.state() == KafkaStreams.State.RUNNING);
    return app;
  }

  private static Map<String, Integer> counted(Topics.Reader<Response> reader) {
    Map<String, Integer> counts = new HashMap<>();
    reader.poll().forEach(r -> counts.merge(r.getRequestId(), 1, Integer::sum));
    return counts;
  }

  /** Waits until {@code ids} distinct requests have at least {@code min} responses each. */
  private static Map<String, Integer> awaitCounts(
      Topics.Reader<Response> reader, int ids, int min) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                counted(reader).entrySet().stream().filter(e -> e.getValue() >= min).count()
                    >= ids);
    return counted(reader);
  }

  private static void send(String bootstrap, String prefix, int n, Instant timestamp) {
    ConfluentAvroSerde<Request> serde =
        ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled());
    try (KafkaProducer<String, Request> p =
        new KafkaProducer<>(
            Topics.producerProps(bootstrap), new StringSerializer(), serde.serializer())) {
      for (int i = 0; i < n; i++) {
        String session = prefix + "-session-" + (i % 3);
        p.send(
            new ProducerRecord<>(
                "llm.requests",
                null,
                timestamp.toEpochMilli(),
                session,
                Request.newBuilder()
                    .setRequestId(prefix + "-" + i)
                    .setSessionId(session)
                    .setModel("gpt")
                    .setMessages(
                        List.of(new ChatMessage("user", prefix + " " + i, null, null, List.of())))
                    .setCreatedAt(Instant.now())
                    .build()));
      }
    }
  }
}
