package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class DlqIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void shouldListAGarbageRecordWithItsReasonAndReinjectAFixedOneThatGetsAnswered(@TempDir Path dir)
      throws Exception {
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim = LlmSimulator.start(LlmSimulator.Options.loopback(0, SimFaults.NONE))) {
      String b = broker.bootstrapServers();
      String yaml =
          """
          kafka: {bootstrap_servers: "%s", application_id: dlq-it, state_dir: "%s"}
          topics: {partitions: 2}
          providers: {sim: {type: openai, base_url: "%s/v1"}}
          models: {gpt: {deployments: [{provider: sim, model: m}]}}
          http: {port: 0}
          """
              .formatted(b, dir.resolve("state"), sim.url());
      try (SluiceApp app = SluiceApp.start(SluiceConfig.parse(yaml, "dlq-it", Map.of()))) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> app.state() == KafkaStreams.State.RUNNING);
        // Given a producer that wrote JSON instead of Avro
        try (KafkaProducer<byte[], byte[]> p =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", b),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
          p.send(
                  new ProducerRecord<>(
                      "llm.requests",
                      "s-dlq".getBytes(),
                      "{\"request_id\":\"fixed-1\",\"session_id\":\"s-dlq\"}".getBytes()))
              .get();
        }

        // When the dead letters are listed
        JsonNode[] letter = new JsonNode[1];
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  CliRun list = CliRun.run("", "dlq", "list", "--bootstrap", b, "--timeout-s", "2");
                  return list.outLines().stream()
                      .map(
                          l -> {
                            try {
                              return MAPPER.readTree(l);
                            } catch (Exception e) {
                              throw new IllegalStateException(e);
                            }
                          })
                      .filter(n -> "s-dlq".equals(n.path("key").asText()))
                      .peek(n -> letter[0] = n)
                      .findFirst()
                      .isPresent();
                });

        // Then it is there with its reason
        assertThat(letter[0].get("reason").get("error.code").asText()).isEqualTo("deserialization");
        assertThat(letter[0].get("reason").get("error.message").asText()).contains("magic byte");
        assertThat(letter[0].get("reason").get("source.topic").asText()).isEqualTo("llm.requests");
        assertThat(letter[0].get("value_text").asText()).contains("fixed-1");

        // And a fixed version re-injected gets a response
        Path fixed = dir.resolve("fixed.json");
        Files.writeString(
            fixed,
            "{\"request_id\":\"fixed-1\",\"session_id\":\"s-dlq\",\"model\":\"gpt\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"fixed at last\"}]}");
        CliRun reinject =
            CliRun.run(
                "",
                "dlq",
                "reinject",
                "--bootstrap",
                b,
                "--partition",
                letter[0].get("partition").asText(),
                "--offset",
                letter[0].get("offset").asText(),
                "--fixed",
                fixed.toString());
        assertThat(reinject.exitCode()).as(reinject.err()).isZero();
        assertThat(reinject.out()).contains("re-injected", "(fixed)");
        CliRun answer =
            CliRun.run(
                "",
                "consume",
                "--bootstrap",
                b,
                "--topic",
                "llm.responses",
                "--from-beginning",
                "--max",
                "1",
                "--timeout-s",
                "60");
        assertThat(answer.exitCode()).as(answer.err()).isZero();
        JsonNode response = MAPPER.readTree(answer.outLines().get(0));
        assertThat(response.get("request_id").asText()).isEqualTo("fixed-1");
        assertThat(response.get("content").asText()).isEqualTo("Echo: fixed at last");
      }
    }
  }
}
