package io.sluice.cli;

import io.sluice.bench.SimBench;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice bench}: the gateway load generator, its baseline, and the simulator and
 * RabbitMQ-leg benchmarks as subcommands.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "The load generator: produces requests to a gateway and reads its responses, matching them by request_id; prints a progress line every 5 s and a JSON summary on stdout. By default it starts its own broker, simulator and gateway in this process (--bootstrap uses a running one); --baseline measures a bare pass-through Kafka Streams app instead of the gateway.",
    subcommands = {BenchCommand.Sim.class, BenchCommand.Tools.class})
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
      description = "unique, repeated (cache hits), mix or multi-turn (default ${DEFAULT-VALUE}).")
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
      names = "--guarantee",
      defaultValue = "at_least_once",
      description =
          "Embedded gateway: exactly_once_v2 or at_least_once (default ${DEFAULT-VALUE}).")
  String guarantee;

  @Option(
      names = "--commit-interval-ms",
      description =
          "Embedded gateway: commit interval (default: the gateway's for the guarantee, 20 under"
              + " exactly_once_v2, 1000 under at_least_once).")
  Long commitIntervalOption;

  long commitIntervalMs;

  @Option(
      names = "--linger-ms",
      defaultValue = "5",
      description = "Embedded gateway: producer linger (default ${DEFAULT-VALUE}).")
  long lingerMs;

  @Option(
      names = "--partitions",
      defaultValue = "4",
      description = "Embedded: partitions per topic (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description =
          "Embedded gateway: stream threads (default ${DEFAULT-VALUE}, the gateway's own default;"
              + " on 2 shared cores a second thread made p99 worse).")
  int threads;

  @Option(
      names = "--max-concurrency",
      defaultValue = "1000",
      description =
          "Embedded gateway: the simulator provider's max_concurrency (default ${DEFAULT-VALUE}).")
  int maxConcurrency;

  @Option(
      names = "--http2",
      description = "Embedded gateway: call the simulator over HTTP/2 (h2c) instead of HTTP/1.1.")
  boolean http2;

  @Option(
      names = "--kafka-property",
      paramLabel = "KEY=VALUE",
      description =
          "Embedded gateway: a Kafka client property (the config's kafka.properties), repeatable.")
  java.util.Map<String, String> kafkaProperties = new java.util.LinkedHashMap<>();

  @Option(
      names = "--client-property",
      paramLabel = "KEY=VALUE",
      description =
          "The load generator's own producer and consumer: a Kafka client property, repeatable"
              + " (its producer's linger.ms is 1 unless given).")
  java.util.Map<String, String> clientProperties = new java.util.LinkedHashMap<>();

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the summary to FILE.")
  java.nio.file.Path json;

  @Override
  public Integer call() throws Exception {
    if (!mode.equals("open") && !mode.equals("closed")) {
      throw new IllegalArgumentException("--mode must be open or closed, not '" + mode + "'");
    }
    if (rate < 1 || inFlight < 1 || durationS < 1 || warmupS < 0 || requestCount < 0) {
      throw new IllegalArgumentException(
          "--rate, --in-flight and --duration-s must be >= 1; --warmup-s, --requests >= 0");
    }
    commitIntervalMs =
        commitIntervalOption != null
            ? commitIntervalOption
            : io.sluice.config.SluiceConfig.KafkaSection.defaultCommitIntervalMs(guarantee);
    io.sluice.bench.Workload w =
        new io.sluice.bench.Workload(workload, hitRatio, sessions, "bench");
    io.sluice.schema.registry.CatalogSchemaRegistry registry =
        io.sluice.schema.registry.CatalogSchemaRegistry.bundled();
    var requestSerde =
        io.sluice.schema.serde.ConfluentAvroSerde.forValues(
            io.sluice.events.Request.class, registry);
    var responseSerde =
        io.sluice.schema.serde.ConfluentAvroSerde.forValues(
            io.sluice.events.Response.class, registry);
    java.util.List<AutoCloseable> started = new java.util.ArrayList<>();
    try {
      String target = bootstrap;
      if (target == null) {
        io.sluice.dev.DevStack stack =
            io.sluice.dev.DevStack.start(
                new io.sluice.dev.DevStack.Options(
                    0,
                    0,
                    0,
                    null,
                    new io.sluice.dev.sim.SimFaults(simLatencyMs, 0, 0, "500", 1, 0),
                    partitions));
        started.add(stack);
        target = stack.bootstrapServers();
        io.sluice.dev.TempDir stateDir =
            io.sluice.dev.TempDir.createForState("sluice-bench-state-");
        started.add(stateDir); // closed last, after the gateway
        java.nio.file.Path state = stateDir.path();
        if (baseline) {
          java.util.Properties props = new java.util.Properties();
          props.put("application.id", "sluice-baseline");
          props.put("bootstrap.servers", target);
          props.put("processing.guarantee", guarantee);
          props.put("commit.interval.ms", String.valueOf(commitIntervalMs));
          props.put("num.stream.threads", String.valueOf(threads));
          props.put("state.dir", state.toString());
          props.put("producer.linger.ms", String.valueOf(lingerMs));
          props.put("poll.ms", "20");
          org.apache.kafka.streams.KafkaStreams streams =
              io.sluice.bench.BaselineApp.start(
                  props,
                  io.sluice.bench.BaselineApp.topology(
                      "llm.requests", "llm.responses", requestSerde, responseSerde));
          started.add(0, streams::close);
          awaitRunning(streams::state);
        } else {
          io.sluice.config.SluiceConfig config =
              io.sluice.config.SluiceConfig.parse(
                  """
              kafka:
                bootstrap_servers: "%s"
                application_id: sluice-bench
                processing_guarantee: %s
                commit_interval_ms: %d
                linger_ms: %d
                num_stream_threads: %d
                state_dir: "%s"
                properties: %s
              topics: {partitions: %d}
              providers:
                sim: {type: openai, base_url: "%s/v1", timeout_ms: 30000, max_concurrency: %d, http2: %s}
              models:
                bench: {deployments: [{provider: sim, model: sim-bench, price_per_mtok: {input: 0.15, output: 0.60}}]}
              cache: {ttl: 1h}
              http: {port: 0}
              """
                      .formatted(
                          target,
                          guarantee,
                          commitIntervalMs,
                          lingerMs,
                          threads,
                          state,
                          yamlMap(kafkaProperties),
                          partitions,
                          stack.simulator().url(),
                          maxConcurrency,
                          http2),
                  "bench config",
                  java.util.Map.of());
          io.sluice.app.SluiceApp app = io.sluice.app.SluiceApp.start(config);
          started.add(0, app);
          awaitRunning(app::state);
        }
        System.err.printf(
            "embedded %s on %s: %s, commit interval %d ms, linger %d ms, %d partitions, %d stream thread(s), simulator %d ms over %s%n",
            baseline ? "baseline" : "gateway",
            target,
            guarantee,
            commitIntervalMs,
            lingerMs,
            partitions,
            threads,
            simLatencyMs,
            http2 ? "HTTP/2" : "HTTP/1.1");
      }
      io.sluice.bench.GatewayBench bench =
          new io.sluice.bench.GatewayBench(
              new io.sluice.bench.GatewayBench.Options(
                  target,
                  clientProperties(),
                  "llm.requests",
                  "llm.responses",
                  mode.equals("open"),
                  rate,
                  inFlight,
                  java.time.Duration.ofSeconds(warmupS),
                  java.time.Duration.ofSeconds(durationS),
                  requestCount,
                  w,
                  baseline || workload.equals("repeated") ? 0 : simLatencyMs,
                  java.time.Duration.ofSeconds(drainS)),
              requestSerde,
              responseSerde,
              System.err);
      com.fasterxml.jackson.databind.node.ObjectNode summary = bench.run();
      summary.put("target", baseline ? "baseline" : "gateway");
      summary.putPOJO("client_properties", clientProperties);
      if (bootstrap == null) {
        summary
            .put("guarantee", guarantee)
            .put("commit_interval_ms", commitIntervalMs)
            .put("linger_ms", lingerMs)
            .put("partitions", partitions)
            .put("stream_threads", threads)
            .putPOJO("kafka_properties", kafkaProperties)
            .put("provider_http", http2 ? "HTTP/2" : "HTTP/1.1");
      }
      System.out.println(summary.toPrettyString());
      if (json != null) {
        java.nio.file.Files.writeString(json, summary.toPrettyString() + "\n");
      }
      return summary.get("missing").asLong() == 0 && summary.get("duplicates").asLong() == 0
          ? SluiceCli.OK
          : SluiceCli.FAILURE;
    } finally {
      for (AutoCloseable c : started) {
        c.close();
      }
    }
  }

  private java.util.Properties clientProperties() {
    java.util.Properties p = new java.util.Properties();
    p.putAll(clientProperties);
    return p;
  }

  /** A flow-style YAML map of quoted strings. */
  private static String yamlMap(java.util.Map<String, String> m) {
    java.util.StringJoiner j = new java.util.StringJoiner(", ", "{", "}");
    m.forEach((k, v) -> j.add(quoted(k) + ": " + quoted(v)));
    return j.toString();
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void awaitRunning(
      java.util.function.Supplier<org.apache.kafka.streams.KafkaStreams.State> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    while (state.get() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the app did not reach RUNNING within 60 s");
      }
      java.util.concurrent.TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /** {@code sluice bench sim}: the simulator's capacity. */
  @Command(
      name = "sim",
      mixinStandardHelpOptions = true,
      description =
          "Measures an LLM endpoint (by default an in-process simulator) with a fixed number of calls in flight; prints progress, then a JSON summary on stdout.")
  static final class Sim implements Callable<Integer> {
    @Option(
        names = "--url",
        description = "Endpoint base URL (default: start a simulator in this process).")
    String url;

    @Option(
        names = "--in-flight",
        defaultValue = "5000",
        description = "Calls kept in flight (default ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(
        names = "--latency-ms",
        defaultValue = "200",
        description = "Latency of the in-process simulator (default ${DEFAULT-VALUE}).")
    long latencyMs;

    @Option(
        names = "--warmup-s",
        defaultValue = "20",
        description = "Warm-up, not counted (default ${DEFAULT-VALUE}).")
    int warmupS;

    @Option(
        names = "--duration-s",
        defaultValue = "30",
        description = "Measured time (default ${DEFAULT-VALUE}).")
    int durationS;

    @Option(names = "--http2", description = "Use HTTP/2 (h2c) instead of HTTP/1.1.")
    boolean http2;

    @Option(
        names = "--anthropic",
        description = "Call /v1/messages instead of /v1/chat/completions.")
    boolean anthropic;

    @Override
    public Integer call() throws Exception {
      if (inFlight < 1 || durationS < 1 || warmupS < 0) {
        throw new IllegalArgumentException(
            "--in-flight and --duration-s must be >= 1, --warmup-s >= 0");
      }
      LlmSimulator sim = null;
      String target = url;
      if (target == null) {
        sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(latencyMs, 0, 0, "500", 1, 0)));
        target = sim.url();
        System.err.println(
            "started an in-process simulator at " + target + " with " + latencyMs + " ms latency");
      }
      try {
        SimBench bench =
            new SimBench(
                new SimBench.Options(
                    target,
                    inFlight,
                    Duration.ofSeconds(warmupS),
                    Duration.ofSeconds(durationS),
                    http2,
                    anthropic),
                System.err);
        System.out.println(bench.run().toPrettyString());
      } finally {
        if (sim != null) {
          sim.close();
        }
      }
      return SluiceCli.OK;
    }
  }

  /** {@code sluice bench tools}: round trip of the RabbitMQ leg of a tool call. */
  @Command(
      name = "tools",
      mixinStandardHelpOptions = true,
      description =
          "Measures the RabbitMQ leg of a tool call (publish as the bridge does, a quorum queue, a calculator worker in this process, the reply on direct reply-to); prints a JSON summary with p50 and p99.")
  static final class Tools implements Callable<Integer> {
    @Option(
        names = "--amqp-url",
        defaultValue = "amqp://guest:guest@127.0.0.1:5672",
        description = "RabbitMQ (default ${DEFAULT-VALUE}).")
    String amqpUrl;

    @Option(
        names = "--calls",
        defaultValue = "20000",
        description = "Calls measured (default ${DEFAULT-VALUE}).")
    int calls;

    @Option(
        names = "--warmup",
        defaultValue = "5000",
        description = "Calls before measuring (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
        names = "--in-flight",
        defaultValue = "1",
        description = "Calls in flight (default ${DEFAULT-VALUE}: one at a time, pure latency).")
    int inFlight;

    @Override
    public Integer call() throws Exception {
      if (calls < 1 || warmup < 0 || inFlight < 1) {
        throw new IllegalArgumentException("--calls and --in-flight must be >= 1, --warmup >= 0");
      }
      System.out.println(
          new io.sluice.bench.ToolRttBench(
                  new io.sluice.bench.ToolRttBench.Options(amqpUrl, warmup, calls, inFlight),
                  System.err)
              .run()
              .toPrettyString());
      return SluiceCli.OK;
    }
  }
}
