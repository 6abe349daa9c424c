package io.sluice.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code sluice run} instances of one application in a chaos test, run as a user runs them:
 * each instance has its own config file and state directory (kept across its restarts), exactly
 * once, the model {@code gpt} on one simulator; each start writes a fresh log under {@code
 * target/chaos/<scenario>/}. With static membership an instance's id is its {@code
 * kafka.instance_id}, so a restart after {@code kill -9} takes its partitions back at once.
 */
final class ChaosFleet implements AutoCloseable {
  /**
   * The client JIT only: on 2 shared cores a gateway then reaches RUNNING in about half the time
   * (10.8-16.5 s against 23.4-33.0 s, measured while other builds ran), and these tests measure
   * what survives, not speed.
   */
  private static final List<String> JVM = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1");

  private final Path dir;
  private final Path logs;
  private final String scenario;
  private final String bootstrap;
  private final String simUrl;
  private final int partitions;
  private final boolean staticMembership;
  private final Map<String, String> kafkaProperties;
  private final Map<String, SluiceProcess> running = new LinkedHashMap<>();
  private final Map<String, Integer> starts = new HashMap<>();

  ChaosFleet(
      Path dir,
      String scenario,
      String bootstrap,
      String simUrl,
      int partitions,
      boolean staticMembership,
      Map<String, String> kafkaProperties) {
    this.dir = dir;
    this.logs = Path.of("target/chaos", scenario);
    this.scenario = scenario;
    this.bootstrap = bootstrap;
    this.simUrl = simUrl;
    this.partitions = partitions;
    this.staticMembership = staticMembership;
    this.kafkaProperties = kafkaProperties;
  }

  /** Starts (or restarts) instances, all at once, and waits until each gateway runs. */
  void start(String... instances) throws IOException {
    List<SluiceProcess> started = new ArrayList<>();
    for (String instance : instances) {
      Path config = dir.resolve(instance + ".yaml");
      if (!Files.exists(config)) {
        Files.writeString(config, yaml(instance));
      }
      int n = starts.merge(instance, 1, Integer::sum);
      SluiceProcess p =
          SluiceProcess.start(
              JVM, logs.resolve(instance + "-" + n + ".log"), "run", "--config", config.toString());
      running.put(instance, p);
      started.add(p);
    }
    started.forEach(p -> p.awaitOutput("Sluice gateway running", Duration.ofSeconds(120)));
  }

  /** {@code kill -9}: no shutdown hook, no commit, no leaving the group. */
  void kill9(String instance) throws InterruptedException {
    running.remove(instance).kill9();
  }

  /**
   * A clean stop (SIGTERM): the instance closes its streams and leaves the group. True when it
   * exited by itself within 90 s (0, or 143: the JVM's code after SIGTERM even when every shutdown
   * hook returned) after its streams reached NOT_RUNNING.
   */
  boolean stop(String instance) throws InterruptedException, IOException {
    SluiceProcess p = running.remove(instance);
    int exit = p.stop(Duration.ofSeconds(90));
    return (exit == 0 || exit == 143) && p.output().contains("PENDING_SHUTDOWN -> NOT_RUNNING");
  }

  /** Instances started and not stopped that have exited by themselves. */
  List<String> died() {
    return running.entrySet().stream()
        .filter(e -> !e.getValue().alive())
        .map(Map.Entry::getKey)
        .toList();
  }

  private String yaml(String instance) {
    String props =
        kafkaProperties.entrySet().stream()
            .map(e -> e.getKey() + ": \"" + e.getValue() + "\"")
            .collect(Collectors.joining(", "));
    return """
        kafka:
          bootstrap_servers: %s
          application_id: chaos-%s
          processing_guarantee: exactly_once_v2
          state_dir: %s
        %s%s
        topics:
          partitions: %d
        providers:
          sim: {type: openai, base_url: "%s/v1", timeout_ms: 10000, max_concurrency: 256}
        models:
          gpt: {deployments: [{provider: sim, model: sim-gpt}]}
        http: {port: 0}
        """
        .formatted(
            bootstrap,
            scenario,
            dir.resolve(instance + "-state"),
            staticMembership ? "  instance_id: " + scenario + "-" + instance + "\n" : "",
            props.isEmpty() ? "" : "  properties: {" + props + "}\n",
            partitions,
            simUrl);
  }

  @Override
  public void close() {
    running.values().forEach(SluiceProcess::close);
    running.clear();
  }
}
