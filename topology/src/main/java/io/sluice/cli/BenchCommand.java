package io.sluice.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.bench.CpuMeter;
import io.sluice.bench.GatewayBench;
import io.sluice.bench.GcMeter;
import io.sluice.bench.Workload;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice bench}: the gateway load generator, its baseline, and the simulator and
 * RabbitMQ-leg benchmarks as subcommands. The options here shape the load; {@link
 * BenchStackOptions} the stack started in this process ({@link BenchStack}); {@link BenchReport}
 * prints the summary.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "The load generator: produces requests to a gateway and reads its responses, matching them by request_id; prints a progress line every 5 s and a JSON summary on stdout. By default it starts its own broker, simulator and gateway in this process (--bootstrap uses a running one); --baseline measures a bare pass-through Kafka Streams app instead of the gateway.",
    subcommands = {
      BenchSimCommand.class,
      BenchToolsCommand.class,
      BenchHttpCommand.class,
      BenchPiiCommand.class
    })
final class BenchCommand implements Callable<Integer> {
  @Option(
      names = "--bootstrap",
      paramLabel = "B",
      description =
          "A running gateway's Kafka (default: start broker, simulator and gateway here).")
  String bootstrap;

  @Option(
      names = "--baseline",
      description =
          "Measure a bare pass-through Kafka Streams app (read a request, write a response) instead of the gateway.")
  boolean baseline;

  @Option(
      names = "--mode",
      defaultValue = "open",
      description =
          "open (a target --rate) or closed (a fixed --in-flight); default ${DEFAULT-VALUE}.")
  String mode;

  @Option(
      names = "--rate",
      defaultValue = "1000",
      description = "Open loop: requests per second (default ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--in-flight",
      defaultValue = "1000",
      description = "Closed loop: requests in flight (default ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(
      names = "--workload",
      defaultValue = "unique",
      description =
          "unique, unique-cacheable (deterministic, so cacheable), repeated (cache hits), mix or"
              + " multi-turn (default ${DEFAULT-VALUE}).")
  String workload;

  @Option(
      names = "--hit-ratio",
      defaultValue = "0.5",
      description = "mix: share of repeated (cacheable) requests (default ${DEFAULT-VALUE}).")
  double hitRatio;

  @Option(
      names = "--sessions",
      defaultValue = "100",
      description = "multi-turn: sessions (default ${DEFAULT-VALUE}).")
  int sessions;

  @Option(
      names = "--warmup-s",
      defaultValue = "60",
      description =
          "Warm-up, not counted: the JIT needs about a minute here (default ${DEFAULT-VALUE}).")
  int warmupS;

  @Option(
      names = "--duration-s",
      defaultValue = "60",
      description = "Measured time (default ${DEFAULT-VALUE}).")
  int durationS;

  @Option(
      names = "--requests",
      defaultValue = "0",
      description = "Measure this many requests instead of --duration-s.")
  long requestCount;

  @Option(
      names = "--drain-s",
      defaultValue = "30",
      description =
          "After sending, wait at most this long for outstanding responses (default ${DEFAULT-VALUE}).")
  int drainS;

  @Option(
      names = "--sim-latency-ms",
      defaultValue = "200",
      description =
          "The simulator's latency; overhead = end-to-end minus this (default ${DEFAULT-VALUE}).")
  long simLatencyMs;

  @Option(
      names = "--client-property",
      paramLabel = "KEY=VALUE",
      description =
          "The load generator's own producer and consumer: a Kafka client property, repeatable"
              + " (its producer's linger.ms is 1 unless given).")
  Map<String, String> clientProperties = new LinkedHashMap<>();

  @Option(
      names = "--topic-prefix",
      paramLabel = "P",
      defaultValue = "llm.",
      description =
          "With --bootstrap: the running gateway's topics.prefix; requests go to P+requests and answers are read from P+responses (default ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the summary to FILE.")
  Path json;

  @Mixin BenchStackOptions stack;

  @Mixin BenchCostOptions cost;

  @Override
  public Integer call() throws Exception {
    if (!mode.equals("open") && !mode.equals("closed")) {
      throw new IllegalArgumentException("--mode must be open or closed, not '" + mode + "'");
    }
    if (rate < 1 || inFlight < 1 || durationS < 1 || warmupS < 0 || requestCount < 0) {
      throw new IllegalArgumentException(
          "--rate, --in-flight and --duration-s must be >= 1; --warmup-s, --requests >= 0");
    }
    cost.validate();
    if (bootstrap == null && !topicPrefix.equals("llm.")) {
      throw new IllegalArgumentException("--topic-prefix needs --bootstrap");
    }
    String requestsTopic = topicPrefix + "requests";
    String responsesTopic = topicPrefix + "responses";
    Workload w =
        new Workload(workload, hitRatio, sessions, "bench").withHistory(cost.historyShape());
    CatalogSchemaRegistry registry = CatalogSchemaRegistry.bundled();
    ConfluentAvroSerde<Request> requestSerde =
        ConfluentAvroSerde.forValues(Request.class, registry);
    ConfluentAvroSerde<Response> responseSerde =
        ConfluentAvroSerde.forValues(Response.class, registry);
    BenchStack embedded =
        bootstrap != null
            ? null
            : BenchStack.start(stack, baseline, simLatencyMs, requestSerde, responseSerde);
    try {
      String target = embedded == null ? bootstrap : embedded.bootstrapServers();
      Path stateDir = embedded == null ? cost.stateDir : embedded.stateDir();
      ObjectNode prefill =
          BenchCostSteps.prefill(
              cost,
              target,
              clientProperties(),
              requestsTopic,
              responsesTopic,
              w,
              requestSerde,
              responseSerde);
      if (prefill != null) {
        BenchCostSteps.afterPrefill(prefill, stateDir);
      }
      GatewayBench bench =
          new GatewayBench(
              new GatewayBench.Options(
                  target,
                  clientProperties(),
                  requestsTopic,
                  responsesTopic,
                  mode.equals("open"),
                  rate,
                  inFlight,
                  Duration.ofSeconds(warmupS),
                  Duration.ofSeconds(durationS),
                  requestCount,
                  w,
                  baseline || workload.equals("repeated") ? 0 : simLatencyMs,
                  Duration.ofSeconds(drainS)),
              requestSerde,
              responseSerde,
              System.err);
      bench.observe(new CpuMeter(cost.gatewayPid)).observe(new GcMeter());
      ObjectNode summary = bench.run();
      BenchCostSteps.addState(summary, prefill, stateDir);
      return BenchReport.print(
          summary, baseline, clientProperties, embedded == null ? null : stack, json, System.out);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  private Properties clientProperties() {
    Properties p = new Properties();
    p.putAll(clientProperties);
    return p;
  }
}
