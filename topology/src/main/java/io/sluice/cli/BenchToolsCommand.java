package io.sluice.cli;

import io.sluice.bench.ToolRttBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice bench tools}: round trip of the RabbitMQ leg of a tool call. */
@Command(
    name = "tools",
    mixinStandardHelpOptions = true,
    description =
        "Measures the RabbitMQ leg of a tool call (publish as the bridge does, a quorum queue, a calculator worker in this process, the reply on direct reply-to); prints a JSON summary with p50 and p99.")
final class BenchToolsCommand implements Callable<Integer> {
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
        new ToolRttBench(new ToolRttBench.Options(amqpUrl, warmup, calls, inFlight), System.err)
            .run()
            .toPrettyString());
    return SluiceCli.OK;
  }
}
