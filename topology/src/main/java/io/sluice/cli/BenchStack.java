package io.sluice.cli;

import io.sluice.app.SluiceApp;
import io.sluice.bench.BaselineApp;
import io.sluice.config.KafkaProfile;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.DevStack;
import io.sluice.dev.TempDir;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What {@code sluice bench} measures when no {@code --bootstrap} is given, all in this process: a
 * broker and a simulator, and on them the gateway or the bare pass-through baseline, with its state
 * in a temporary directory. Closing it stops the app, then the broker and simulator, and deletes
 * the state directory last. Not an {@code AutoCloseable}: what it closes may throw {@code
 * InterruptedException}, which {@code -Xlint:try} rejects in a resource.
 */
final class BenchStack {
  private final List<AutoCloseable> started = new ArrayList<>(); // closed first to last
  private String bootstrapServers;
  private Path statePath;

  private BenchStack() {}

  /** Starts the stack and waits until the app is RUNNING; prints what it started on stderr. */
  static BenchStack start(
      BenchStackOptions o,
      boolean baseline,
      long simLatencyMs,
      ConfluentAvroSerde<Request> requestSerde,
      ConfluentAvroSerde<Response> responseSerde)
      throws Exception {
    BenchStack s = new BenchStack();
    try {
      s.startAll(o, baseline, simLatencyMs, requestSerde, responseSerde);
      return s;
    } catch (Exception | Error e) {
      s.close();
      throw e;
    }
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  /** The app's state directory (deleted on close). */
  Path stateDir() {
    return statePath;
  }

  private void startAll(
      BenchStackOptions o,
      boolean baseline,
      long simLatencyMs,
      ConfluentAvroSerde<Request> requestSerde,
      ConfluentAvroSerde<Response> responseSerde)
      throws Exception {
    KafkaProfile.of(o.profile); // a bad --profile exits 2 (naming kafka.profile) before any start
    DevStack stack =
        DevStack.start(
            new DevStack.Options(
                0, 0, 0, null, new SimFaults(simLatencyMs, 0, 0, "500", 1, 0), o.partitions));
    started.add(stack);
    bootstrapServers = stack.bootstrapServers();
    TempDir stateDir = TempDir.createForState("sluice-bench-state-");
    started.add(stateDir); // closed last, after the gateway
    Path state = stateDir.path();
    this.statePath = state;
    if (baseline) {
      KafkaStreams streams =
          BaselineApp.start(
              baselineProperties(o, state),
              BaselineApp.topology("llm.requests", "llm.responses", requestSerde, responseSerde));
      started.add(0, streams::close);
      awaitRunning(streams::state);
    } else {
      SluiceApp app = SluiceApp.start(gatewayConfig(o, state, stack.simulator().url()));
      started.add(0, app);
      if (o.semantic) {
        started.add(0, () -> SemanticReport.print(app.metrics(), System.err)); // before app closes
      }
      awaitRunning(app::state);
    }
    System.err.printf(
        "embedded %s on %s: %s, profile %s, commit interval %d ms, linger %d ms, %d partitions, %d stream thread(s), simulator %d ms over %s, limits %s%n",
        baseline ? "baseline" : "gateway",
        bootstrapServers,
        o.guarantee,
        o.profile,
        o.commitIntervalMs(),
        o.lingerMs(),
        o.partitions,
        o.threads,
        simLatencyMs,
        o.providerHttp(),
        baseline ? "n/a" : o.limits);
  }

  private Properties baselineProperties(BenchStackOptions o, Path state) {
    Properties props = new Properties();
    props.put("application.id", "sluice-baseline");
    props.put("bootstrap.servers", bootstrapServers);
    props.put("processing.guarantee", o.guarantee);
    props.put("commit.interval.ms", String.valueOf(o.commitIntervalMs()));
    props.put("num.stream.threads", String.valueOf(o.threads));
    props.put("state.dir", state.toString());
    props.put("producer.linger.ms", String.valueOf(o.lingerMs()));
    props.put("poll.ms", "20");
    KafkaProfile profile = KafkaProfile.of(o.profile);
    if (profile != KafkaProfile.BALANCED) {
      // balanced keeps the bare Kafka Streams app it always was (Kafka's fetch defaults); the
      // others fetch as the gateway's stream threads would
      props.put("fetch.min.bytes", profile.fetchMinBytes());
      props.put("fetch.max.wait.ms", profile.fetchMaxWaitMs());
      profile.streamsProducer().forEach((k, v) -> props.put("producer." + k, v));
    }
    return props;
  }

  private SluiceConfig gatewayConfig(BenchStackOptions o, Path state, String simulatorUrl) {
    return SluiceConfig.parse(
        """
        kafka:
          bootstrap_servers: "%s"
          application_id: sluice-bench
          processing_guarantee: %s
        %s  num_stream_threads: %d
          state_dir: "%s"
          properties: %s
        topics: {partitions: %d}
        providers:
          sim: {type: openai, base_url: "%s/v1", timeout_ms: 30000, max_concurrency: %d, http2: %s}
        models:
          bench: {deployments: [{provider: sim, model: sim-bench, price_per_mtok: {input: 0.15, output: 0.60}}]}
        cache: {ttl: 1h, semantic: {enabled: %s, models: [bench], workers: %d}}
        http: {port: 0}
        tracing: {spans: %s}
        %s"""
            .formatted(
                bootstrapServers,
                o.guarantee,
                o.kafkaYaml(),
                o.threads,
                state,
                yamlMap(o.kafkaProperties),
                o.partitions,
                simulatorUrl,
                o.maxConcurrency,
                o.http2,
                o.semantic,
                o.semanticWorkers,
                o.tracingSpans,
                o.limitsYaml()),
        "bench config",
        Map.of());
  }

  /** A flow-style YAML map of quoted strings. */
  private static String yamlMap(Map<String, String> m) {
    StringJoiner j = new StringJoiner(", ", "{", "}");
    m.forEach((k, v) -> j.add(quoted(k) + ": " + quoted(v)));
    return j.toString();
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** Polls the app's state, at most 60 s: start-up, not a test, so a bounded poll is enough. */
  private static void awaitRunning(Supplier<KafkaStreams.State> state) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (state.get() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the app did not reach RUNNING within 60 s");
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /** Stops the app, then the broker and simulator; deletes the state directory last. */
  void close() throws Exception {
    for (AutoCloseable c : started) {
      c.close();
    }
  }
}
