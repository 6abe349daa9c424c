package io.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.sluice.liveconfig.ConfigTopic;
import io.sluice.liveconfig.ConfigVersion;
import io.sluice.liveconfig.LiveSections;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice config show [--history]}: the live config version in force, or every version. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description =
        "Prints the latest version of the config topic, the one in force (secrets masked), or with"
            + " --history one line per applied version: number, time, who, file and digest."
            + " An instance that refused a version says so in its log and in"
            + " sluice_config_refused_version.")
final class ConfigShowCommand implements Callable<Integer> {
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  @Mixin ClientOptions client;

  @Option(names = "--history", description = "Every applied version, oldest first.")
  boolean history;

  @Override
  public Integer call() throws Exception {
    String topic = ConfigTopic.name(client.config());
    List<ConfigVersion> versions = List.of();
    try (Admin admin = Admin.create(client.kafkaProperties())) {
      Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      if (topics.contains(topic)) {
        versions = ConfigTopic.versions(client.kafkaProperties(), topic, Duration.ofSeconds(30));
      }
    }
    if (versions.isEmpty()) {
      System.out.println(
          "no version in " + topic + ": every instance runs with its own file's sections");
      return SluiceCli.OK;
    }
    if (history) {
      System.out.println(
          "version  applied_at                by                   digest        file");
      for (ConfigVersion v : versions) {
        System.out.printf(
            "%-8d %-25s %-20s %-13s %s%n",
            v.version(),
            Instant.ofEpochMilli(v.appliedAtMs()),
            v.appliedBy(),
            v.digest().substring(0, Math.min(12, v.digest().length())),
            v.source());
      }
      return SluiceCli.OK;
    }
    ConfigVersion v = versions.get(versions.size() - 1);
    System.out.println(
        "# version "
            + v.version()
            + " of "
            + topic
            + ", applied "
            + Instant.ofEpochMilli(v.appliedAtMs())
            + " by "
            + v.appliedBy()
            + " from "
            + v.source());
    System.out.println("# digest " + v.digest());
    System.out.print(YAML.writeValueAsString(LiveSections.masked(v.sections())));
    return SluiceCli.OK;
  }
}
