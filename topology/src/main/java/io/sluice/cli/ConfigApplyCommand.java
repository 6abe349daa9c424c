package io.sluice.cli;

import io.sluice.config.SluiceConfig;
import io.sluice.liveconfig.ConfigPublisher;
import io.sluice.liveconfig.ConfigTopic;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice config apply FILE}: validates FILE and publishes its live sections. */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description =
        "Validates FILE as `sluice run` would (exit 2 naming the key and line of the first problem;"
            + " nothing is published then) and publishes its providers, models, routing, tenants,"
            + " cache and guardrails sections as the next version of the config topic. ${VAR}"
            + " references are validated here and published as written: each instance substitutes"
            + " its own environment.")
final class ConfigApplyCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The config file (YAML).")
  Path file;

  @Option(
      names = {"--bootstrap", "-b"},
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (default: the file's kafka.bootstrap_servers).")
  String bootstrap;

  @Override
  public Integer call() throws Exception {
    SluiceConfig config = SluiceConfig.load(file);
    Properties client = new Properties();
    config.kafka().properties().forEach(client::setProperty);
    client.setProperty(
        "bootstrap.servers", bootstrap != null ? bootstrap : config.kafka().bootstrapServers());
    ConfigPublisher.Result r = ConfigPublisher.apply(file, config, client, Clock.systemUTC());
    String topic = ConfigTopic.name(config);
    if (r.unchanged()) {
      System.out.println(
          "unchanged: version "
              + r.version().version()
              + " in "
              + topic
              + " already has these sections (digest "
              + r.version().digest().substring(0, 12)
              + ")");
    } else {
      System.out.println(
          "applied version "
              + r.version().version()
              + " to "
              + topic
              + " (digest "
              + r.version().digest().substring(0, 12)
              + "); running instances apply it within seconds");
    }
    return SluiceCli.OK;
  }
}
