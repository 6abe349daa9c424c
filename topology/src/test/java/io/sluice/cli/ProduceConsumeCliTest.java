package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class ProduceConsumeCliTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
    CliRun topics =
        CliRun.run("", "topics", "--bootstrap", broker.bootstrapServers(), "--partitions", "2");
    assertThat(topics.exitCode()).as(topics.err()).isZero();
    assertThat(topics.out()).contains("created  llm.requests", "created  llm.cache");
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void shouldBringProducedRequestsBackFieldForField() throws Exception {
    // Given two requests as JSON lines
    String first =
        "{\"request_id\":\"r1\",\"session_id\":\"s1\",\"tenant_id\":\"acme\",\"model\":\"gpt-4o-mini\","
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}],\"params\":{\"temperature\":0.0},"
            + "\"priority\":7,\"metadata\":{\"team\":\"a\"},\"created_at\":1764000000000}";
    String second =
        "{\"request_id\":\"r2\",\"session_id\":\"s1\",\"model\":\"claude-haiku\","
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Again\"}],\"cache\":\"BYPASS\",\"use_history\":false}";

    // When they are produced and consumed
    CliRun produced =
        CliRun.run(first + "\n" + second + "\n", "produce", "-b", broker.bootstrapServers());
    CliRun consumed =
        CliRun.run(
            "",
            "consume",
            "-b",
            broker.bootstrapServers(),
            "--topic",
            "llm.requests",
            "--from-beginning",
            "--max",
            "2",
            "--timeout-s",
            "30");

    // Then every field given comes back as it was
    assertThat(produced.exitCode()).as(produced.err()).isZero();
    assertThat(produced.err()).contains("produced 2 record(s) to llm.requests");
    assertThat(consumed.exitCode()).as(consumed.err()).isZero();
    List<String> lines = consumed.outLines();
    assertThat(lines).hasSize(2);
    assertContainsEveryField(MAPPER.readTree(lines.get(0)), MAPPER.readTree(first));
    JsonNode back = MAPPER.readTree(lines.get(1));
    assertContainsEveryField(back, MAPPER.readTree(second));
    assertThat(back.get("created_at").asLong()).as("filled in by produce").isPositive();
  }

  private static void produceRaw(ProducerRecord<byte[], byte[]> record) throws Exception {
    try (var producer =
        new KafkaProducer<byte[], byte[]>(
            Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer.send(record).get();
    }
  }

  /** {@code sluice consume} of the first record of {@code topic}. */
  private static CliRun consumeOne(String topic) {
    return CliRun.run(
        "",
        "consume",
        "-b",
        broker.bootstrapServers(),
        "--topic",
        topic,
        "--from-beginning",
        "--max",
        "1",
        "--timeout-s",
        "30");
  }

  private static void assertContainsEveryField(JsonNode actual, JsonNode expected) {
    expected
        .properties()
        .forEach(
            e -> {
              JsonNode a = actual.get(e.getKey());
              if (e.getValue().isObject()) {
                assertContainsEveryField(a, e.getValue());
              } else if (e.getValue().isArray()) {
                for (int i = 0; i < e.getValue().size(); i++) {
                  if (e.getValue().get(i).isObject()) {
                    assertContainsEveryField(a.get(i), e.getValue().get(i));
                  } else {
                    assertThat(a.get(i)).isEqualTo(e.getValue().get(i));
                  }
                }
              } else {
                assertThat(a).as(e.getKey()).isEqualTo(e.getValue());
              }
            });
  }

  @Test
  void shouldNameEachBadLineByNumberKeepGoingAndExitNonZero() {
    String good =
        "{\"request_id\":\"g\",\"session_id\":\"s9\",\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

    CliRun run =
        CliRun.run(
            good
                + "\n"
                + "garbage{\n"
                + "{\"request_id\":\"x\",\"priority\":\"high\"}\n"
                + good
                + "\n",
            "produce",
            "-b",
            broker.bootstrapServers(),
            "--topic",
            "bad-lines");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains("line 2: not valid JSON")
        .contains("line 3: priority: expected an int")
        .contains("produced 2 record(s) to bad-lines; 2 bad line(s) skipped");
  }

  @Test
  void givenPlainJsonRecordsLikeLlmAnalyticsWhenConsumedThenTheyArePrintedAsTheyAre()
      throws Exception {
    String row =
        "{\"kind\":\"provider_minute\",\"provider\":\"openai\",\"requests\":10,\"error_ratio\":0.2}";
    produceRaw(new ProducerRecord<>("json-analytics", "openai".getBytes(), row.getBytes()));

    CliRun run = consumeOne("json-analytics");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(MAPPER.readTree(run.outLines().get(0))).isEqualTo(MAPPER.readTree(row));
  }

  @Test
  void shouldPrintDeadLettersAsHeadersAndRawBytes() throws Exception {
    // Given a raw record with headers in the dead-letter topic
    var record = new ProducerRecord<>("llm.dlq", "k".getBytes(), "not avro".getBytes());
    record.headers().add("sluice.error.code", "deserialization".getBytes());
    produceRaw(record);

    CliRun run = consumeOne("llm.dlq");

    JsonNode dl = MAPPER.readTree(run.outLines().get(0));
    assertThat(dl.get("headers").get("sluice.error.code").asText()).isEqualTo("deserialization");
    assertThat(dl.get("value_text").asText()).isEqualTo("not avro");
    assertThat(dl.get("key").asText()).isEqualTo("k");
  }

  @Test
  void shouldExitWithOneWhenFewerRecordsThanAskedArriveBeforeTheTimeout() {
    CliRun run =
        CliRun.run(
            "",
            "consume",
            "-b",
            broker.bootstrapServers(),
            "--topic",
            "llm.usage",
            "--max",
            "1",
            "--timeout-s",
            "2");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("consumed 0 of 1 record(s) before the timeout");
  }
}
