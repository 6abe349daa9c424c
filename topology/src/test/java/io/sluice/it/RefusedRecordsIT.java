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
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The last line under exactly-once: the broker refuses the gateway's records for one output topic
 * (its {@code max.message.bytes} lowered by hand while the gateway runs). The refusals are counted,
 * the gateway keeps running, read_committed consumers see no half-written answer, and once the
 * limit is raised again every request is answered exactly once: none was lost.
 */
@Tag("integration")
class RefusedRecordsIT {

  @Test
  void givenABrokerRefusingSpansWhenRequestsArriveThenNoHalfAnswerIsVisibleAndNoneIsLost(
      @TempDir Path dir) throws Exception {
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(10, 0, 0, "500", 1, 0)))) {
      String bootstrap = broker.bootstrapServers();
      SluiceConfig config =
          SluiceConfig.parse(
              """
              kafka: {bootstrap_servers: "%s", application_id: refused-it, state_dir: "%s"}
              topics: {partitions: 2}
              providers: {sim: {type: openai, base_url: "%s/v1"}}
              models: {gpt: {deployments: [{provider: sim, model: m}]}}
              http: {port: 0}
              """
                  .formatted(bootstrap, dir.resolve("state"), sim.url()),
              "refused-it",
              Map.of());
      try (SluiceApp app = Topics.startGateway(bootstrap, config);
          Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
          Topics.Reader<Response> reader = Topics.responses(bootstrap, "llm.responses");
          KafkaProducer<String, Request> producer =
              new KafkaProducer<>(
                  Topics.producerProps(bootstrap),
                  new StringSerializer(),
                  ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled())
                      .serializer())) {
        send(producer, "warm-up");
        await().atMost(Duration.ofSeconds(60)).until(() -> ids(reader.poll()).contains("warm-up"));

        // Given the broker refusing every span: llm.traces takes records of 100 bytes at most
        setMaxMessageBytes(admin, "llm.traces", "100");
        // When requests arrive
        for (int i = 0; i < 10; i++) {
          send(producer, "r" + i);
        }
        // Then the refusals are counted, the gateway keeps running, and no answer is visible
        await().atMost(Duration.ofSeconds(60)).until(() -> refused(app) > 0);
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < until) {
          assertThat(ids(reader.poll())).containsExactly("warm-up");
          assertThat(app.state()).isIn(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
        }

        // When the limit is raised again
        setMaxMessageBytes(admin, "llm.traces", "1048576");

        // Then every request is answered, exactly once
        await().atMost(Duration.ofSeconds(120)).until(() -> ids(reader.poll()).size() == 11);
        long quiet = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < quiet) {
          reader.poll();
        }
        Map<String, Integer> counts = new HashMap<>();
        for (Response r : reader.values()) {
          assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK);
          counts.merge(r.getRequestId(), 1, Integer::sum);
        }
        assertThat(counts).hasSize(11);
        assertThat(counts.values()).containsOnly(1);
        assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
        System.out.printf(
            "refused records: %d refusals, 11 requests, %d answered, lost %d, duplicated %d%n",
            (long) refused(app), counts.size(), 11 - counts.size(), 0);
      }
    }
  }

  private static double refused(SluiceApp app) {
    var c = app.metrics().find("sluice.records.refused").counters();
    return c.stream().mapToDouble(x -> x.count()).sum();
  }

  private static void setMaxMessageBytes(Admin admin, String topic, String value) throws Exception {
    admin
        .incrementalAlterConfigs(
            Map.of(
                new ConfigResource(ConfigResource.Type.TOPIC, topic),
                List.of(
                    new AlterConfigOp(
                        new ConfigEntry("max.message.bytes", value), AlterConfigOp.OpType.SET))))
        .all()
        .get();
  }

  private static java.util.Set<String> ids(List<Response> responses) {
    return responses.stream()
        .map(Response::getRequestId)
        .collect(java.util.stream.Collectors.toSet());
  }

  private static void send(KafkaProducer<String, Request> producer, String id) {
    producer.send(
        new ProducerRecord<>(
            "llm.requests",
            "s-" + id,
            Request.newBuilder()
                .setRequestId(id)
                .setSessionId("s-" + id)
                .setModel("gpt")
                .setMessages(List.of(new ChatMessage("user", "hello " + id, null, null, List.of())))
                .setCreatedAt(Instant.now())
                .setTimeoutMs(600_000L)
                .build()));
    producer.flush();
  }
}
