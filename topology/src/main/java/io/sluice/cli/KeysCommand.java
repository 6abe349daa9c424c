package io.sluice.cli;

import io.sluice.kafka.TopicSetup;
import io.sluice.keys.KeysReader;
import io.sluice.keys.VirtualKey;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sluice keys}: virtual keys in the compacted keys topic ({@code llm.keys}). A key is shown
 * once, when it is created; the topic holds only its SHA-256.
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description =
        "Virtual keys: create one (shown once; only its SHA-256 is stored in llm.keys), list them"
            + " (never a key), revoke one (refused everywhere within seconds).",
    subcommands = {KeysCreateCommand.class, KeysListCommand.class, KeysRevokeCommand.class})
final class KeysCommand implements Runnable {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "a subcommand is required (create, list, revoke)");
  }

  /** The keys topic of {@code client}'s config, created (compacted) if it is missing. */
  static String ensureTopic(ClientOptions client) throws Exception {
    String topic = client.topicNames().get("keys");
    try (Admin admin = Admin.create(client.kafkaProperties())) {
      TopicSetup.ensure(
          admin,
          TopicSetup.specs(client.config(), null, null).stream()
              .filter(s -> s.name().equals(topic))
              .toList(),
          TIMEOUT);
    }
    return topic;
  }

  /** Every key in the topic, read to its end. */
  static List<VirtualKey> readAll(ClientOptions client, String topic) throws Exception {
    try (KeysReader reader = KeysReader.start(client.kafkaProperties(), topic, "cli")) {
      if (!reader.awaitCaughtUp(TIMEOUT)) {
        throw new IllegalStateException("could not read " + topic + " to its end in " + TIMEOUT);
      }
      return reader.all();
    }
  }
}
