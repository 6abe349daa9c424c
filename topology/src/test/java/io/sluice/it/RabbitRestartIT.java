package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import io.sluice.tools.samples.Calculator;
import io.sluice.tools.worker.ToolWorker;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** RabbitMQ restarts in the middle of 200 tool calls; every request still gets its final answer. */
@Tag("integration")
class RabbitRestartIT {
  private static final int REQUESTS = 200;

  @Test
  void shouldAnswerEveryToolRequestAcrossARabbitMqRestart() throws Exception {
    String exchange = "sluice.restart." + UUID.randomUUID().toString().substring(0, 8);
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(250, 0, 0, "500", 1, 0)));
        ToolWorker workers =
            ToolWorker.builder(ToolsIT.AMQP)
                .exchange(exchange)
                .tool(
                    "calculator",
                    args -> {
                      // the tool takes 200 ms of simulated work, so calls are inside RabbitMQ when
                      // it stops
                      java.util.concurrent.locks.LockSupport.parkNanos(
                          Duration.ofMillis(200).toNanos());
                      return new Calculator().call(args);
                    })
                .start()) {
      String yaml =
          """
          kafka: {bootstrap_servers: "%s", application_id: rabbit-restart-it, state_dir: "%s"}
          topics: {partitions: 3}
          providers: {sim: {type: openai, base_url: "%s/v1"}}
          models: {gpt: {deployments: [{provider: sim, model: m}]}}
          tools: {amqp_url: "%s", exchange: "%s", timeout_ms: 90000}
          http: {port: 0}
          """
              .formatted(
                  broker.bootstrapServers(),
                  Files.createTempDirectory("restart-it"),
                  sim.url(),
                  ToolsIT.AMQP,
                  exchange);
      try (SluiceApp app = SluiceApp.start(SluiceConfig.parse(yaml, "restart-it", Map.of()));
          Topics.Reader<Response> reader =
              Topics.responses(broker.bootstrapServers(), "llm.responses");
          KafkaProducer<String, Request> producer =
              new KafkaProducer<>(
                  Topics.producerProps(broker.bootstrapServers()),
                  new StringSerializer(),
                  ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled())
                      .serializer())) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> app.state() == KafkaStreams.State.RUNNING);
        assertThat(workers.tools()).containsExactly("calculator");

        // Given 200 requests that each need a calculator round, 4 per session
        for (int i = 0; i < REQUESTS; i++) {
          Request r =
              ToolsIT.ask(
                  "restart-" + i,
                  "restart-s" + (i % 50),
                  "use the calculator: " + i + "+1",
                  "calculator");
          producer.send(new ProducerRecord<>("llm.requests", r.getSessionId(), r));
        }
        producer.flush();
        await().atMost(Duration.ofSeconds(120)).until(() -> reader.poll().size() >= 20);

        // When RabbitMQ stops and starts again while calls are in flight
        long answeredBefore =
            reader.values().stream().map(Response::getRequestId).distinct().count();
        assertThat(answeredBefore)
            .as("requests answered before the restart")
            .isLessThan(REQUESTS / 2);
        try {
          rabbitmqctl("stop_app");
        } finally {
          rabbitmqctl("start_app");
        }

        // Then every request gets its final answer, built from the tool's result
        await()
            .atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    reader.poll().stream().map(Response::getRequestId).distinct().count()
                        == REQUESTS);
        Map<String, Response> byId = new HashMap<>();
        reader.values().forEach(r -> byId.putIfAbsent(r.getRequestId(), r));
        for (int i = 0; i < REQUESTS; i++) {
          Response r = byId.get("restart-" + i);
          assertThat(r.getStatus()).as(r.getRequestId()).isEqualTo(ResponseStatus.OK);
          assertThat(r.getContent())
              .as(r.getRequestId())
              .isEqualTo("Tool results: calculator=" + (i + 1));
        }
      }
    }
  }

  private static void rabbitmqctl(String command) throws Exception {
    Process p =
        new ProcessBuilder("rabbitmqctl", command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS))
        .as("rabbitmqctl " + command + " finished")
        .isTrue();
    assertThat(p.exitValue()).as("rabbitmqctl " + command).isZero();
  }
}
