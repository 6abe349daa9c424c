package io.sluice.cli;

import io.sluice.keys.KeySecrets;
import io.sluice.keys.KeyWriter;
import io.sluice.keys.VirtualKey;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice keys create}: a new key, printed once. */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description =
        "Creates a key and prints it once (line 1: the key; line 2: its id). Only its SHA-256 is"
            + " stored; a lost key cannot be shown again: revoke it and create another.")
final class KeysCreateCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Spec CommandSpec spec;

  @Option(names = "--tenant", required = true, paramLabel = "T", description = "The tenant.")
  String tenant;

  @Option(names = "--name", paramLabel = "N", description = "A label for people.")
  String name;

  @Option(
      names = "--models",
      paramLabel = "a,b",
      description = "The aliases the key may use (default: whatever its tenant may use).")
  String models;

  @Option(names = "--rpm", paramLabel = "N", description = "Requests per minute.")
  Long rpm;

  @Option(names = "--tpm", paramLabel = "N", description = "Tokens per minute.")
  Long tpm;

  @Option(names = "--max-parallel", paramLabel = "N", description = "Requests in flight at once.")
  Integer maxParallel;

  @Option(names = "--budget-usd", paramLabel = "X", description = "Spend per budget period.")
  Double budgetUsd;

  @Option(names = "--budget-period", paramLabel = "day|month", description = "day or month.")
  String budgetPeriod;

  /**
   * The key these options describe.
   *
   * @throws IllegalArgumentException naming the option that is wrong
   */
  VirtualKey toKey(String id, String sha256, long nowMs) {
    VirtualKey key =
        new VirtualKey(
            id,
            sha256,
            tenant == null ? null : tenant.strip(),
            name,
            modelList(),
            rpm,
            tpm,
            maxParallel,
            budgetUsd,
            budgetPeriod,
            nowMs,
            null);
    key.problem()
        .ifPresent(
            p -> {
              throw new IllegalArgumentException("--" + p.replace('_', '-'));
            });
    var tenants = client == null ? null : client.config().tenants();
    if (tenants != null && !tenants.isEmpty() && !tenants.containsKey(key.tenant())) {
      throw new IllegalArgumentException(
          "--tenant '" + key.tenant() + "' is not one of the config's tenants " + tenants.keySet());
    }
    return key;
  }

  private List<String> modelList() {
    if (models == null) {
      return List.of();
    }
    return Arrays.stream(models.split(",")).map(String::strip).filter(m -> !m.isEmpty()).toList();
  }

  @Override
  public Integer call() throws Exception {
    String secret = KeySecrets.newKey();
    VirtualKey key =
        toKey(KeySecrets.newId(), KeySecrets.sha256Hex(secret), System.currentTimeMillis());
    String topic = KeysCommand.ensureTopic(client);
    try (KeyWriter writer = new KeyWriter(client.kafkaProperties(), topic)) {
      writer.write(key, KeysCommand.TIMEOUT);
    }
    var out = spec.commandLine().getOut();
    out.println(secret);
    out.println("id " + key.id());
    out.flush();
    spec.commandLine()
        .getErr()
        .println(
            "sluice: key "
                + key.id()
                + " created for tenant "
                + key.tenant()
                + "; it is shown only this once");
    return SluiceCli.OK;
  }
}
