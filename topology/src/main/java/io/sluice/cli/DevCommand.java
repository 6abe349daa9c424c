package io.sluice.cli;

import io.sluice.dev.DevStack;
import io.sluice.dev.sim.SimFaults;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice dev}: the zero-setup stack in one process. */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description =
        "Runs the zero-setup stack in one process: an embedded Kafka broker with Sluice's topics, the schema catalog over the Schema Registry REST API, and the LLM simulator. Prints the addresses; Ctrl-C stops it.")
final class DevCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      paramLabel = "P",
      defaultValue = "9092",
      description = "Kafka port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(
      names = "--registry-port",
      paramLabel = "R",
      defaultValue = "8081",
      description = "Schema registry port (default ${DEFAULT-VALUE}).")
  int registryPort;

  @Option(
      names = "--sim-port",
      paramLabel = "S",
      defaultValue = "8000",
      description = "LLM simulator port (default ${DEFAULT-VALUE}).")
  int simPort;

  @Option(
      names = "--sim-latency-ms",
      paramLabel = "N",
      defaultValue = "50",
      description = "Simulated provider latency (default ${DEFAULT-VALUE}).")
  long simLatencyMs;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "3",
      description = "Partitions per topic (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--data-dir",
      paramLabel = "D",
      description = "Keep Kafka's data here across restarts (default: temporary).")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    SimFaults faults = new SimFaults(simLatencyMs, 0, 0, "500", 1, 0);
    try (ShutdownLatch latch = new ShutdownLatch();
        DevStack stack =
            DevStack.start(
                new DevStack.Options(port, registryPort, simPort, dataDir, faults, partitions))) {
      System.out.println("Sluice dev stack");
      System.out.println("  Kafka bootstrap:  " + stack.bootstrapServers());
      System.out.println("  Schema registry:  " + stack.registryUrl());
      System.out.println(
          "  LLM simulator:    "
              + stack.simulator().url()
              + " (OpenAI /v1/chat/completions, Anthropic /v1/messages)");
      System.out.println("Ready. Ctrl-C to stop.");
      System.out.flush();
      latch.await();
    }
    return SluiceCli.OK;
  }
}
