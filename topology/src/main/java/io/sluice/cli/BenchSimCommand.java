package io.sluice.cli;

import io.sluice.bench.SimBench;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice bench sim}: the simulator's capacity. */
@Command(
    name = "sim",
    mixinStandardHelpOptions = true,
    description =
        "Measures an LLM endpoint (by default an in-process simulator) with a fixed number of calls in flight; prints progress, then a JSON summary on stdout.")
final class BenchSimCommand implements Callable<Integer> {
  @Option(
      names = "--url",
      description = "Endpoint base URL (default: start a simulator in this process).")
  String url;

  @Option(
      names = "--in-flight",
      defaultValue = "5000",
      description = "Calls kept in flight (default ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(
      names = "--latency-ms",
      defaultValue = "200",
      description = "Latency of the in-process simulator (default ${DEFAULT-VALUE}).")
  long latencyMs;

  @Option(
      names = "--warmup-s",
      defaultValue = "20",
      description = "Warm-up, not counted (default ${DEFAULT-VALUE}).")
  int warmupS;

  @Option(
      names = "--duration-s",
      defaultValue = "30",
      description = "Measured time (default ${DEFAULT-VALUE}).")
  int durationS;

  @Option(names = "--http2", description = "Use HTTP/2 (h2c) instead of HTTP/1.1.")
  boolean http2;

  @Option(names = "--anthropic", description = "Call /v1/messages instead of /v1/chat/completions.")
  boolean anthropic;

  @Override
  public Integer call() throws Exception {
    if (inFlight < 1 || durationS < 1 || warmupS < 0) {
      throw new IllegalArgumentException(
          "--in-flight and --duration-s must be >= 1, --warmup-s >= 0");
    }
    LlmSimulator sim = null;
    String target = url;
    if (target == null) {
      sim =
          LlmSimulator.start(
              LlmSimulator.Options.loopback(0, new SimFaults(latencyMs, 0, 0, "500", 1, 0)));
      target = sim.url();
      System.err.println(
          "started an in-process simulator at " + target + " with " + latencyMs + " ms latency");
    }
    try {
      SimBench bench =
          new SimBench(
              new SimBench.Options(
                  target,
                  inFlight,
                  Duration.ofSeconds(warmupS),
                  Duration.ofSeconds(durationS),
                  http2,
                  anthropic),
              System.err);
      System.out.println(bench.run().toPrettyString());
    } finally {
      if (sim != null) {
        sim.close();
      }
    }
    return SluiceCli.OK;
  }
}
