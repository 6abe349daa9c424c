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
import io.sluice.events.ResponseStatus;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live configuration under load: while requests flow at a steady 200/s (the issue asks 1,000/s;
 * this shared 2-core machine runs broker, gateway, simulators and load together, so the rate is one
 * that holds here; {@code -Dsluice.it.live.rate=1000} asks for more), {@code sluice config apply}
 * changes a deployment's weight and adds a fallback.
 */
@Tag("integration")
class LiveConfigIT {
  /** 200/s here; on a quiet machine {@code -Dsluice.it.live.rate=1000} runs the rate. */
  private static final int RATE_PER_S = Integer.getInteger("sluice.it.live.rate", 200);

  /** A bound on the load, whatever happens: 60 s at the rate. */
  private static final int MAX_REQUESTS = 60 * RATE_PER_S;

  private static final String FILE =
      """
      kafka: {bootstrap_servers: "%s", application_id: live-it, state_dir: "%s"}
      topics: {partitions: 2}
      providers:
        a: {type: openai, base_url: "%s/v1"}
        b: {type: openai, base_url: "%s/v1"}
      models:
        gpt:
          deployments:
            - {provider: a, model: m, weight: %s}
            - {provider: b, model: m, weight: %s}
      %s
      http: {port: 0}
      """;

  @Test
  void shouldFollowNewWeightsWithinSecondsWhileRequestsFlowLosingNone(@TempDir Path dir)
      throws Exception {
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator simA = LlmSimulator.start(LlmSimulator.Options.loopback(0, faults()));
        LlmSimulator simB = LlmSimulator.start(LlmSimulator.Options.loopback(0, faults()))) {
      String bootstrap = broker.bootstrapServers();
      Function<String, String> file =
          tail ->
              FILE.formatted(
                  bootstrap, dir.resolve("state"), simA.url(), simB.url(), "%s", "%s", tail);
      // Given a gateway whose model gpt goes to simulator A only (B has weight 0)
      Path bootstrapFile = dir.resolve("sluice.yaml");
      Files.writeString(bootstrapFile, file.apply("").formatted(1, 0));
      try (SluiceApp app = Topics.startGateway(bootstrap, SluiceConfig.load(bootstrapFile));
          Topics.Reader<Response> responses = Topics.responses(bootstrap, "llm.responses");
          KafkaProducer<String, Request> producer =
              new KafkaProducer<>(
                  Topics.producerProps(bootstrap),
                  new StringSerializer(),
                  ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled())
                      .serializer())) {
        // (the first exactly-once transactions on a fresh broker are slow: one answer first)
        producer.send(new ProducerRecord<>("llm.requests", "warm-up", request(-1)));
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> answered(responses.poll()).contains("live--1"));
        Set<KafkaStreams.State> states = ConcurrentHashMap.newKeySet();
        AtomicInteger sent = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop =
            new java.util.concurrent.atomic.AtomicBoolean();
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        try {
          // and requests flowing at a steady rate, each a session of its own
          load.scheduleAtFixedRate(
              () -> {
                states.add(app.state());
                if (!stop.get() && sent.get() < MAX_REQUESTS) {
                  int i = sent.getAndIncrement();
                  producer.send(new ProducerRecord<>("llm.requests", "s-" + i, request(i)));
                }
              },
              0,
              1_000_000 / RATE_PER_S,
              TimeUnit.MICROSECONDS);
          await()
              .atMost(Duration.ofSeconds(90))
              .until(() -> answered(responses.poll()).size() >= 1 + 400);
          assertThat(count(simB)).as("weight 0: nothing to B yet").isZero();

          // When a new file gives B three times A's weight and gpt a fallback
          Path next = dir.resolve("next.yaml");
          Files.writeString(
              next,
              file.apply(
                      "    fallbacks: [backup]\n  backup: {deployments: [{provider: a, model: m2}]}")
                  .formatted(1, 3));
          long applyAt = System.nanoTime();
          Cli apply = Cli.run("config", "apply", next.toString());
          assertThat(apply.code()).as(apply.err()).isZero();
          assertThat(apply.out()).contains("applied version 1 to llm.config");

          // Then within 5 s the instance has it in force, with the fallback, and no restart
          await()
              .atMost(Duration.ofSeconds(5))
              .until(() -> app.configInForce().current().version() == 1);
          long inForceMs = (System.nanoTime() - applyAt) / 1_000_000;
          assertThat(app.configInForce().current().models().route("gpt").orElseThrow().fallbacks())
              .containsExactly("backup");
          assertThat(app.metrics().get("sluice.config.version").gauge().value()).isEqualTo(1.0);

          // and the calls made from then on follow the new weights (counted at the simulators)
          long a0 = count(simA);
          long b0 = count(simB);
          await()
              .atMost(Duration.ofSeconds(30))
              .alias("600 calls after the change")
              .until(() -> count(simA) + count(simB) - a0 - b0 >= 600);
          long a = count(simA) - a0;
          long b = count(simB) - b0;
          double shareOfB = (double) b / (a + b);
          assertThat(shareOfB)
              .as("B's share of %d calls after the change", a + b)
              .isBetween(0.6, 0.9);

          // When an invalid file is applied (line 11: a fallback to an alias that does not exist)
          Path invalid = dir.resolve("invalid.yaml");
          Files.writeString(invalid, file.apply("    fallbacks: [nope]").formatted(1, 1));
          Cli refused = Cli.run("config", "apply", invalid.toString());

          // Then it is refused with exit 2 naming the line and the key, and nothing changes
          assertThat(refused.code()).isEqualTo(2);
          assertThat(refused.err())
              .contains(invalid + " line 11: models.gpt.fallbacks: 'nope' is not another");
          Cli history = Cli.run("config", "show", "--history", "--bootstrap", bootstrap);
          assertThat(history.code()).as(history.err()).isZero();
          assertThat(history.out().lines().filter(l -> l.matches("^\\d+\\s+\\d{4}-.*")).count())
              .isEqualTo(1);
          Cli show = Cli.run("config", "show", "--bootstrap", bootstrap);
          assertThat(show.out()).contains("# version 1 of llm.config", "fallbacks:", "backup");

          // and every request is answered exactly once, OK, with one provider call each
          stop.set(true);
          load.shutdown();
          assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
          producer.flush();
          int total = sent.get() + 1;
          await()
              .atMost(Duration.ofSeconds(90))
              .until(() -> answered(responses.poll()).size() >= total);
          await().atMost(Duration.ofSeconds(10)).until(responses::caughtUp);
          responses.poll();
          Map<String, Long> perId =
              responses.values().stream()
                  .collect(Collectors.groupingBy(r -> r.getRequestId(), Collectors.counting()));
          assertThat(perId).hasSize(total);
          assertThat(perId.values()).allMatch(n -> n == 1);
          assertThat(responses.values()).allMatch(r -> r.getStatus() == ResponseStatus.OK);
          assertThat(count(simA) + count(simB)).isEqualTo(total);
          assertThat(states).containsOnly(KafkaStreams.State.RUNNING);
          assertThat(app.configInForce().current().version()).isEqualTo(1);
          System.out.printf(
              "live config: version 1 in force %d ms after apply; B's share after it %.2f;"
                  + " %d requests at %d/s, all answered once%n",
              inForceMs, shareOfB, total, RATE_PER_S);
        } finally {
          load.shutdownNow();
        }
      }
    }
  }

  private static SimFaults faults() {
    return new SimFaults(5, 0, 0, "500", 1, 0);
  }

  private static long count(LlmSimulator sim) {
    return sim.statsJson().get("requests").asLong();
  }

  private static Set<String> answered(List<Response> rs) {
    return rs.stream().map(Response::getRequestId).collect(Collectors.toSet());
  }

  private static Request request(int i) {
    return Request.newBuilder()
        .setRequestId("live-" + i)
        .setSessionId("s-" + i)
        .setTenantId("acme")
        .setModel("gpt")
        .setMessages(List.of(new ChatMessage("user", "question " + i, null, null, List.of())))
        .setCreatedAt(Instant.now())
        .build();
  }

  /** One run of the command line in this JVM, its output captured. */
  private record Cli(int code, String out, String err) {
    static synchronized Cli run(String... args) {
      PrintStream oldOut = System.out;
      PrintStream oldErr = System.err;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      try {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = SluiceCli.execute(args);
        return new Cli(
            code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
      } finally {
        System.setOut(oldOut);
        System.setErr(oldErr);
      }
    }
  }
}
