package io.sluice.cli;

import io.sluice.config.KafkaProfile;
import io.sluice.config.SluiceConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of {@code sluice bench} that shape the stack it starts in its own process (broker,
 * simulator and gateway or baseline); without effect under {@code --bootstrap}.
 */
final class BenchStackOptions {
  @Option(
      names = "--guarantee",
      defaultValue = "at_least_once",
      description =
          "Embedded gateway: exactly_once_v2 or at_least_once (default ${DEFAULT-VALUE}).")
  String guarantee;

  @Option(
      names = "--profile",
      defaultValue = KafkaProfile.DEFAULT,
      description =
          "Embedded gateway or baseline: kafka.profile, low_latency, balanced or throughput"
              + " (default ${DEFAULT-VALUE}); --commit-interval-ms, --linger-ms and"
              + " --kafka-property win over it.")
  String profile;

  @Option(
      names = "--commit-interval-ms",
      description =
          "Embedded gateway: commit interval (default: the profile's for the guarantee, 20 under"
              + " exactly_once_v2 and 1000 under at_least_once with balanced).")
  Long commitIntervalOption;

  @Option(
      names = "--linger-ms",
      description = "Embedded gateway: producer linger (default: the profile's, 5 with balanced).")
  Long lingerOption;

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
      names = "--tracing-spans",
      defaultValue = "all",
      description =
          "Embedded gateway: tracing.spans, all (a span per stage) or root (only the request"
              + " span, the stages as its attributes); default ${DEFAULT-VALUE}.")
  String tracingSpans;

  @Option(
      names = "--http2",
      description = "Embedded gateway: call the simulator over HTTP/2 (h2c) instead of HTTP/1.1.")
  boolean http2;

  @Option(
      names = "--limits",
      defaultValue = "off",
      description =
          "Embedded gateway: on puts the tenant admission stage in, with limits on the bench tenant"
              + " (rpm, tpm, max_parallel, budget) too high to refuse anything, so every request"
              + " pays the stage's hop and bookkeeping; off (default ${DEFAULT-VALUE}): no stage.")
  String limits;

  @Option(
      names = "--kafka-property",
      paramLabel = "KEY=VALUE",
      description =
          "Embedded gateway: a Kafka client property (the config's kafka.properties), repeatable.")
  Map<String, String> kafkaProperties = new LinkedHashMap<>();

  @Option(
      names = "--semantic",
      description =
          "Embedded gateway: turn the semantic cache on for the bench model (cache.semantic)."
              + " Pair with --workload unique-cacheable: sampled requests never look in a cache.")
  boolean semantic;

  @Option(
      names = "--semantic-workers",
      defaultValue = "1",
      description =
          "Embedded gateway: cache.semantic.workers, embedding threads (default ${DEFAULT-VALUE}).")
  int semanticWorkers;

  /** The commit interval and linger in force: as given, else as the config would resolve them. */
  SluiceConfig.KafkaSection kafka() {
    return new SluiceConfig.KafkaSection(
        null,
        null,
        guarantee,
        kafkaProperties,
        commitIntervalOption,
        lingerOption,
        null,
        null,
        null,
        null,
        null,
        profile);
  }

  /** The commit interval given, else the profile's for the guarantee. */
  long commitIntervalMs() {
    return kafka().commitIntervalMs();
  }

  /** The linger given, else the profile's. */
  long lingerMs() {
    return kafka().lingerMs();
  }

  /** The profile's lines of the gateway's {@code kafka:} section, with what was given. */
  String kafkaYaml() {
    return "  profile: "
        + quoted(profile)
        + "\n"
        + (commitIntervalOption != null
            ? "  commit_interval_ms: " + commitIntervalOption + "\n"
            : "")
        + (lingerOption != null ? "  linger_ms: " + lingerOption + "\n" : "");
  }

  /** The config's {@code admission} and {@code tenants} sections for {@link #limits}. */
  String limitsYaml() {
    if (!"on".equals(limits)) {
      // off, or a wrong value the config's validator refuses (exit 2, naming admission.limits)
      return "admission: {limits: " + quoted(limits) + "}\n";
    }
    return "admission: {limits: \"on\"}\n"
        + "tenants:\n"
        + "  bench: {rpm: 1000000000, tpm: 1000000000000, max_parallel: 1000000,"
        + " budget_usd: 1000000000, budget_period: month}\n";
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  String providerHttp() {
    return http2 ? "HTTP/2" : "HTTP/1.1";
  }
}
