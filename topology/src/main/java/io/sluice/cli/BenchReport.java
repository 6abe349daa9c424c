package io.sluice.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The summary {@code sluice bench} prints: the load generator's own numbers, then what was measured
 * (the target and, for the embedded stack, its settings), pretty-printed on stdout and, with {@code
 * --json}, to a file.
 */
final class BenchReport {
  private BenchReport() {}

  /**
   * Completes {@code summary} with the settings, prints and writes it, and returns the exit code:
   * {@link SluiceCli#OK} when no response was missing or duplicated.
   *
   * @param stack the embedded stack's options, or null when a running gateway was measured
   * @param json where to write it too, or null
   */
  static int print(
      ObjectNode summary,
      boolean baseline,
      Map<String, String> clientProperties,
      BenchStackOptions stack,
      Path json,
      PrintStream out)
      throws IOException {
    summary.put("target", baseline ? "baseline" : "gateway");
    summary.putPOJO("client_properties", clientProperties);
    if (stack != null) {
      summary
          .put("guarantee", stack.guarantee)
          .put("profile", stack.profile)
          .put("commit_interval_ms", stack.commitIntervalMs())
          .put("linger_ms", stack.lingerMs())
          .put("partitions", stack.partitions)
          .put("stream_threads", stack.threads)
          .putPOJO("kafka_properties", stack.kafkaProperties)
          .put("provider_http", stack.providerHttp())
          .put("limits", stack.limits);
    }
    out.println(summary.toPrettyString());
    if (json != null) {
      Files.writeString(json, summary.toPrettyString() + "\n");
    }
    return summary.get("missing").asLong() == 0 && summary.get("duplicates").asLong() == 0
        ? SluiceCli.OK
        : SluiceCli.FAILURE;
  }
}
