package io.sluice.cli;

import io.sluice.keys.KeyWriter;
import io.sluice.keys.VirtualKey;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice keys revoke ID}: the key stops working on every instance within seconds. */
@Command(
    name = "revoke",
    mixinStandardHelpOptions = true,
    description =
        "Revokes a key: every front door and gateway instance refuses it within seconds. A"
            + " revoked key stays listed; it cannot be restored.")
final class KeysRevokeCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ID", description = "The key's id (sluice keys list).")
  String id;

  @Override
  public Integer call() throws Exception {
    String topic = client.topicNames().get("keys");
    Optional<VirtualKey> key =
        KeysCommand.readAll(client, topic).stream().filter(k -> k.id().equals(id)).findFirst();
    if (key.isEmpty()) {
      throw new IllegalArgumentException("no key " + id + " in " + topic);
    }
    var out = spec.commandLine().getOut();
    if (!key.get().active()) {
      out.println(id + " was revoked at " + Instant.ofEpochMilli(key.get().revokedAt()));
      out.flush();
      return SluiceCli.OK;
    }
    try (KeyWriter writer = new KeyWriter(client.kafkaProperties(), topic)) {
      writer.write(key.get().revoked(System.currentTimeMillis()), KeysCommand.TIMEOUT);
    }
    out.println("revoked " + id);
    out.flush();
    return SluiceCli.OK;
  }
}
