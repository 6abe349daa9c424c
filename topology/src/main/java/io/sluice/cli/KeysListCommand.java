package io.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.keys.VirtualKey;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice keys list}: every key, never its secret (nor its hash). */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description =
        "Lists every key: id, tenant, name, models, limits, created, revoked. Never a key.")
final class KeysListCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Mixin ClientOptions client;

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "One JSON object per line instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    List<VirtualKey> keys = KeysCommand.readAll(client, client.topicNames().get("keys"));
    PrintWriter out = spec.commandLine().getOut();
    if (!json) {
      out.printf(
          "%-20s %-16s %-16s %-20s %-8s %-10s %-8s %-14s %-20s %s%n",
          "ID",
          "TENANT",
          "NAME",
          "MODELS",
          "RPM",
          "TPM",
          "PARALLEL",
          "BUDGET",
          "CREATED",
          "REVOKED");
    }
    for (VirtualKey k : keys) {
      out.println(json ? json(k) : row(k));
    }
    out.flush();
    return SluiceCli.OK;
  }

  static String row(VirtualKey k) {
    return String.format(
        "%-20s %-16s %-16s %-20s %-8s %-10s %-8s %-14s %-20s %s",
        k.id(),
        k.tenant(),
        or(k.name()),
        k.models().isEmpty() ? "*" : String.join(",", k.models()),
        or(k.rpm()),
        or(k.tpm()),
        or(k.maxParallel()),
        k.budgetUsd() == null ? "-" : k.budgetUsd() + "/" + k.budgetPeriod(),
        Instant.ofEpochMilli(k.createdAt()),
        k.revokedAt() == null ? "-" : Instant.ofEpochMilli(k.revokedAt()).toString());
  }

  static String json(VirtualKey k) {
    ObjectNode n = JSON.valueToTree(k);
    n.remove("sha256");
    return n.toString();
  }

  private static String or(Object v) {
    return v == null ? "-" : v.toString();
  }
}
