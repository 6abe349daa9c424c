package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of issue 14, as a user would meet it: {@code sluice run} under exactly-once with a
 * persistent state directory, and one request whose single user message is 600,000 characters,
 * answered by the simulator with an echo (a 1.2 MB history before the byte bound). The gateway
 * stays up, answers it and every other session, answers the session's later requests, and after a
 * {@code kill -9} starts again without a crash loop.
 */
@Tag("integration")
class LargeRequestIT {
  private static final String BIG = "x".repeat(600_000);

  @Test
  @SuppressWarnings("try") // the broker is held open by the try; its body talks to it by port
  void givenA600000CharacterPromptWhenTheGatewayAnswersItAndIsKilledThenItKeepsAnsweringEveryone(
      @TempDir Path dir) throws Exception {
    int port = freePort();
    Path logs = Path.of("target/large-request-it");
    try (LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(20, 0, 0, "500", 1, 0)));
        SluiceProcess broker =
            SluiceProcess.start(
                    logs.resolve("broker.log"),
                    "broker",
                    "--port",
                    String.valueOf(port),
                    "--data-dir",
                    dir.resolve("kafka").toString(),
                    "--registry-port",
                    "0")
                .awaitOutput("Ready", Duration.ofSeconds(90))) {
      assertThat(broker.alive()).isTrue();
      String bootstrap = "127.0.0.1:" + port;
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(
          config,
          """
          kafka:
            bootstrap_servers: %s
            application_id: large-it
            processing_guarantee: exactly_once_v2
            state_dir: %s
            instance_id: large-it-1
          topics:
            partitions: 2
          providers:
            sim: {type: openai, base_url: "%s/v1", timeout_ms: 20000}
          models:
            gpt: {deployments: [{provider: sim, model: sim-gpt}]}
          http: {port: 0}
          """
              .formatted(bootstrap, dir.resolve("state"), sim.url()));
      SluiceProcess gateway =
          SluiceProcess.start(logs.resolve("gateway-1.log"), "run", "--config", config.toString());
      gateway.awaitOutput("Sluice gateway running", Duration.ofSeconds(90));
      try (Topics.Reader<Response> reader = Topics.responses(bootstrap, "llm.responses");
          KafkaProducer<String, Request> producer = producer(bootstrap)) {
        // Given other sessions in flight around the session with the large prompt
        List<String> expected = new ArrayList<>();
        send(producer, "big", "big-1", "a short first turn", expected);
        send(producer, "big", "big-2", BIG, expected);
        send(producer, "big", "big-3", "and a short turn after it", expected);
        for (int s = 0; s < 20; s++) {
          send(producer, "other-" + s, "other-" + s + "-1", "hello " + s, expected);
        }
        producer.flush();

        // When the gateway answers them
        awaitAnswered(reader, expected, Duration.ofSeconds(120));

        // Then every one is answered OK, the large one included, and the gateway still runs
        Map<String, Response> byId = byId(reader);
        assertThat(byId.get("big-2").getStatus()).isEqualTo(ResponseStatus.OK);
        assertThat(byId.get("big-2").getContent()).hasSizeGreaterThan(600_000);
        assertThat(byId.get("big-3").getStatus()).isEqualTo(ResponseStatus.OK);
        assertThat(gateway.alive()).isTrue();

        // When it is killed and started again on the same state
        gateway.kill9();
        try (SluiceProcess again =
            SluiceProcess.start(
                logs.resolve("gateway-2.log"), "run", "--config", config.toString())) {
          again.awaitOutput("Sluice gateway running", Duration.ofSeconds(90));
          send(producer, "big", "big-4", "still there?", expected);
          send(producer, "after-kill", "after-kill-1", "a new session", expected);
          producer.flush();

          // Then it answers the session's later requests and new sessions, with no crash loop
          awaitAnswered(reader, expected, Duration.ofSeconds(120));
          assertThat(again.alive()).as("the restarted gateway keeps running").isTrue();
        }
        Map<String, Integer> counts = new HashMap<>();
        reader.values().forEach(r -> counts.merge(r.getRequestId(), 1, Integer::sum));
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(counts.values()).as("one response per request (exactly-once)").containsOnly(1);
        assertThat(byId(reader).get("big-4").getStatus()).isEqualTo(ResponseStatus.OK);
        System.out.printf(
            "large request: %d requests, %d answered, lost %d, duplicated %d%n",
            expected.size(),
            counts.size(),
            expected.size() - counts.size(),
            counts.values().stream().mapToInt(n -> n - 1).sum());
      }
    }
  }

  private static Map<String, Response> byId(Topics.Reader<Response> reader) {
    Map<String, Response> m = new HashMap<>();
    reader.values().forEach(r -> m.put(r.getRequestId(), r));
    return m;
  }

  private static void awaitAnswered(
      Topics.Reader<Response> reader, List<String> expected, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              reader.poll();
              return reader.values().stream()
                  .map(Response::getRequestId)
                  .collect(java.util.stream.Collectors.toSet())
                  .containsAll(expected);
            });
  }

  private static KafkaProducer<String, Request> producer(String bootstrap) {
    ConfluentAvroSerde<Request> serde =
        ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled());
    return new KafkaProducer<>(
        Topics.producerProps(bootstrap), new StringSerializer(), serde.serializer());
  }

  private static void send(
      KafkaProducer<String, Request> producer,
      String session,
      String id,
      String text,
      List<String> expected) {
    expected.add(id);
    producer.send(
        new ProducerRecord<>(
            "llm.requests",
            session,
            Request.newBuilder()
                .setRequestId(id)
                .setSessionId(session)
                .setModel("gpt")
                .setUseHistory(true)
                .setMessages(List.of(new ChatMessage("user", text, null, null, List.of())))
                .setCreatedAt(Instant.now())
                .setTimeoutMs(300_000L)
                .build()));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
