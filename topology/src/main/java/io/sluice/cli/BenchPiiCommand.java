package io.sluice.cli;

import io.sluice.bench.PiiBench;
import io.sluice.guardrails.PiiMode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice bench pii}: the PII detector's cost per request, in one thread. */
@Command(
    name = "pii",
    mixinStandardHelpOptions = true,
    description =
        "Measures PII redaction per request (every built-in detector, in one thread, no broker): prompts of --chars characters, half with personal data; prints a JSON summary with p50 and p99 in microseconds.")
final class BenchPiiCommand implements Callable<Integer> {
  @Option(
      names = "--mode",
      defaultValue = "mask",
      description = "mask or block (default ${DEFAULT-VALUE}).")
  String mode;

  @Option(
      names = "--entities",
      split = ",",
      description = "Built-in entity types to look for (default: all).")
  java.util.List<String> entities;

  @Option(
      names = "--chars",
      defaultValue = "2000",
      description = "Characters per message (default ${DEFAULT-VALUE}).")
  int chars;

  @Option(
      names = "--messages",
      defaultValue = "1",
      description = "Messages per request (default ${DEFAULT-VALUE}).")
  int messages;

  @Option(
      names = "--requests",
      defaultValue = "200000",
      description = "Requests measured (default ${DEFAULT-VALUE}).")
  int requests;

  @Option(
      names = "--warmup",
      defaultValue = "50000",
      description = "Requests before measuring (default ${DEFAULT-VALUE}).")
  int warmup;

  @Override
  public Integer call() {
    PiiMode m = PiiMode.parse(mode);
    if (m == null || m == PiiMode.OFF) {
      throw new IllegalArgumentException("--mode must be mask or block, not '" + mode + "'");
    }
    if (chars < 1 || messages < 1 || requests < 1 || warmup < 0) {
      throw new IllegalArgumentException(
          "--chars, --messages and --requests must be >= 1, --warmup >= 0");
    }
    System.out.println(
        new PiiBench(new PiiBench.Options(m, entities, chars, messages, warmup, requests))
            .run()
            .toPrettyString());
    return SluiceCli.OK;
  }
}
