package io.sluice.cli;

import io.sluice.bench.SimBench;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice bench}: load generators. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Load generators; see the subcommands.",
    subcommands = {BenchCommand.Sim.class, BenchCommand.Tools.class})
final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required");
  }

  /** {@code sluice bench sim}: the simulator's capacity. */
  @Command(
      name = "sim",
      mixinStandardHelpOptions = true,
      description =
          "Measures an LLM endpoint (by default an in-process simulator) with a fixed number of calls in flight; prints progress, then a JSON summary on stdout.")
  static final class Sim implements Callable<Integer> {
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

    @Option(
        names = "--anthropic",
        description = "Call /v1/messages instead of /v1/chat/completions.")
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

  /** {@code sluice bench tools}: round trip of the RabbitMQ leg of a tool call. */
  @Command(
      name = "tools",
      mixinStandardHelpOptions = true,
      description =
          "Measures the RabbitMQ leg of a tool call (publish as the bridge does, a quorum queue, a calculator worker in this process, the reply on direct reply-to); prints a JSON summary with p50 and p99.")
  static final class Tools implements Callable<Integer> {
    @Option(
        names = "--amqp-url",
        defaultValue = "amqp://guest:guest@127.0.0.1:5672",
        description = "RabbitMQ (default ${DEFAULT-VALUE}).")
    String amqpUrl;

    @Option(
        names = "--calls",
        defaultValue = "20000",
        description = "Calls measured (default ${DEFAULT-VALUE}).")
    int calls;

    @Option(
        names = "--warmup",
        defaultValue = "5000",
        description = "Calls before measuring (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
        names = "--in-flight",
        defaultValue = "1",
        description = "Calls in flight (default ${DEFAULT-VALUE}: one at a time, pure latency).")
    int inFlight;

    @Override
    public Integer call() throws Exception {
      if (calls < 1 || warmup < 0 || inFlight < 1) {
        throw new IllegalArgumentException("--calls and --in-flight must be >= 1, --warmup >= 0");
      }
      System.out.println(
          new io.sluice.bench.ToolRttBench(
                  new io.sluice.bench.ToolRttBench.Options(amqpUrl, warmup, calls, inFlight),
                  System.err)
              .run()
              .toPrettyString());
      return SluiceCli.OK;
    }
  }
}
