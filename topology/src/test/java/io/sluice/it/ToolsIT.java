package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.ToolCall;
import io.sluice.events.ToolResult;
import io.sluice.events.ToolSpec;
import io.sluice.events.TraceSpan;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import io.sluice.tools.samples.Calculator;
import io.sluice.tools.samples.Clock;
import io.sluice.tools.worker.PoisonMessageException;
import io.sluice.tools.worker.ToolQueues;
import io.sluice.tools.worker.ToolWorker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The tool loop end to end: gateway, bridge and workers on the real RabbitMQ server on loopback.
 */
@Tag("integration")
class ToolsIT {
  static final String AMQP = "amqp://guest:guest@127.0.0.1:5672";
  private static final String EXCHANGE =
      "sluice.it." + UUID.randomUUID().toString().substring(0, 8);
  private static final CountDownLatch RELEASE_SLOW = new CountDownLatch(1);
  private static final AtomicInteger POISON_DELIVERIES = new AtomicInteger();

  private static EmbeddedKafkaBroker broker;
  private static LlmSimulator sim;
  private static SluiceApp app;
  private static ToolWorker workers;
  private static KafkaProducer<String, Request> producer;

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
    sim =
        LlmSimulator.start(LlmSimulator.Options.loopback(0, new SimFaults(10, 0, 0, "500", 1, 0)));
    workers =
        ToolWorker.builder(AMQP)
            .exchange(EXCHANGE)
            .deliveryLimit(2)
            .tool("calculator", new Calculator())
            .tool("clock", new Clock())
            .tool(
                "slow",
                args -> {
                  RELEASE_SLOW.await(60, TimeUnit.SECONDS);
                  return "too late";
                })
            .tool(
                "poison",
                args -> {
                  POISON_DELIVERIES.incrementAndGet();
                  throw new PoisonMessageException("cannot ever handle " + args);
                })
            .start();
    String yaml =
        """
        kafka: {bootstrap_servers: "%s", application_id: tools-it, state_dir: "%s"}
        topics: {partitions: 3}
        providers: {sim: {type: openai, base_url: "%s/v1"}}
        models: {gpt: {deployments: [{provider: sim, model: m}]}}
        tools: {amqp_url: "%s", exchange: "%s", timeout_ms: 1500, max_rounds: 3}
        http: {port: 0}
        """
            .formatted(
                broker.bootstrapServers(),
                Files.createTempDirectory("tools-it"),
                sim.url(),
                AMQP,
                EXCHANGE);
    app = SluiceApp.start(SluiceConfig.parse(yaml, "tools-it", Map.of()));
    await().atMost(Duration.ofSeconds(60)).until(() -> app.state() == KafkaStreams.State.RUNNING);
    producer =
        new KafkaProducer<>(
            Topics.producerProps(broker.bootstrapServers()),
            new StringSerializer(),
            ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled())
                .serializer());
  }

  @AfterAll
  static void stop() {
    RELEASE_SLOW.countDown();
    producer.close();
    app.close();
    workers.close();
    sim.close();
    broker.close();
  }

  static Request ask(String id, String session, String text, String... tools) {
    List<ToolSpec> specs = new ArrayList<>();
    for (String t : tools) {
      specs.add(new ToolSpec(t, "the " + t + " tool", "{\"type\":\"object\"}"));
    }
    return Request.newBuilder()
        .setRequestId(id)
        .setSessionId(session)
        .setModel("gpt")
        .setMessages(List.of(new ChatMessage("user", text, null, null, List.of())))
        .setTools(specs)
        .setCreatedAt(Instant.now())
        .build();
  }

  private static Map<String, Response> answers(List<String> ids) {
    try (Topics.Reader<Response> reader =
        Topics.responses(broker.bootstrapServers(), "llm.responses")) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  reader.poll().stream()
                          .map(Response::getRequestId)
                          .filter(ids::contains)
                          .distinct()
                          .count()
                      == ids.size());
      Map<String, Response> byId = new java.util.HashMap<>();
      reader.values().stream()
          .filter(r -> ids.contains(r.getRequestId()))
          .forEach(r -> byId.put(r.getRequestId(), r));
      return byId;
    }
  }

  private static void send(Request r) {
    producer.send(new ProducerRecord<>("llm.requests", r.getSessionId(), r));
    producer.flush();
  }

  @Test
  void shouldAnswerWithTheCalculatorsResultAndRecordTheRound() {
    send(ask("calc-1", "calc", "use the calculator: 6*7", "calculator"));

    Response r = answers(List.of("calc-1")).get("calc-1");

    assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(r.getContent()).isEqualTo("Tool results: calculator=42");
    assertThat(r.getToolCalls()).isEmpty();
    assertThat(r.getAttempts()).isEqualTo(2);
    try (var calls =
            new Topics.Reader<>(broker.bootstrapServers(), "llm.tool-calls", ToolCall.class);
        var results =
            new Topics.Reader<>(broker.bootstrapServers(), "llm.tool-results", ToolResult.class);
        var traces =
            new Topics.Reader<>(broker.bootstrapServers(), "llm.traces", TraceSpan.class)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  calls.poll().stream().anyMatch(c -> c.getRequestId().equals("calc-1"))
                      && results.poll().stream().anyMatch(c -> c.getRequestId().equals("calc-1"))
                      && traces.poll().stream()
                          .anyMatch(
                              s ->
                                  s.getRequestId().equals("calc-1")
                                      && s.getName().equals("tool.call")));
      ToolCall call =
          calls.values().stream()
              .filter(c -> c.getRequestId().equals("calc-1"))
              .findFirst()
              .orElseThrow();
      assertThat(call.getName()).isEqualTo("calculator");
      assertThat(call.getArgumentsJson()).isEqualTo("{\"input\":\"6*7\"}");
      ToolResult result =
          results.values().stream()
              .filter(c -> c.getRequestId().equals("calc-1"))
              .findFirst()
              .orElseThrow();
      assertThat(result.getContent()).isEqualTo("42");
      assertThat(result.getIsError()).isFalse();
      assertThat(result.getToolCallId()).isEqualTo(call.getToolCallId());
    }
  }

  @Test
  void shouldRunBothToolsOfOneRoundAndUseBothResults() {
    send(ask("two-1", "two", "use the calculator and the clock: 2+2", "calculator", "clock"));

    Response r = answers(List.of("two-1")).get("two-1");

    assertThat(r.getContent())
        .matches("Tool results: calculator=4; clock=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
  }

  @Test
  void shouldAnswerWhenNobodyServesTheToolAndThenServeTheSessionsNextRequest() {
    send(ask("nobody-1", "nobody", "ask the weather: Paris", "weather"));
    send(ask("nobody-2", "nobody", "and now something else"));

    Map<String, Response> r = answers(List.of("nobody-1", "nobody-2"));

    assertThat(r.get("nobody-1").getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(r.get("nobody-1").getContent())
        .isEqualTo("Tool results: weather=no worker serves tool 'weather'");
    assertThat(r.get("nobody-2").getContent()).isEqualTo("Echo: and now something else");
  }

  @Test
  void shouldTellTheModelWhenAToolTimesOutAndThenServeTheSessionsNextRequest() {
    send(ask("slow-1", "slow", "call the slow tool: now", "slow"));
    send(ask("slow-2", "slow", "still there?"));

    Map<String, Response> r = answers(List.of("slow-1", "slow-2"));

    assertThat(r.get("slow-1").getContent())
        .isEqualTo("Tool results: slow=tool 'slow' did not answer within 1500 ms");
    assertThat(r.get("slow-2").getContent()).isEqualTo("Echo: still there?");
  }

  @Test
  void shouldDeadLetterAPoisonMessageAfterTheDeliveryLimit() throws Exception {
    ConnectionFactory f = new ConnectionFactory();
    f.setUri(AMQP);
    try (Connection c = f.newConnection();
        Channel ch = c.createChannel()) {
      ch.basicPublish(
          EXCHANGE,
          "poison",
          new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
          "{\"input\":\"boom\"}".getBytes(StandardCharsets.UTF_8));

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ch.messageCount(ToolQueues.deadQueue(EXCHANGE, "poison")) == 1);

      assertThat(POISON_DELIVERIES.get())
          .as("deliveries before dead-lettering")
          .isGreaterThanOrEqualTo(2);
      assertThat(ch.messageCount(ToolQueues.queue(EXCHANGE, "poison"))).isZero();
      var dead = ch.basicGet(ToolQueues.deadQueue(EXCHANGE, "poison"), true);
      assertThat(new String(dead.getBody(), StandardCharsets.UTF_8))
          .isEqualTo("{\"input\":\"boom\"}");
    }
  }
}
