package io.sluice.cli;

import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.registry.RegistryHttpServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice broker}: an embedded single-node KRaft broker plus the catalog registry. */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description =
        "Runs a single-node Kafka broker (KRaft) in this process on 127.0.0.1, and serves the bundled schema catalog over the Schema Registry REST API. Ctrl-C stops it.")
final class BrokerCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      paramLabel = "P",
      defaultValue = "9092",
      description = "Kafka port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(
      names = "--data-dir",
      paramLabel = "D",
      description =
          "Keep the broker's data here, across restarts (default: a temporary directory, deleted on exit).")
  Path dataDir;

  @Option(
      names = "--registry-port",
      paramLabel = "R",
      defaultValue = "0",
      description = "Schema registry port (default: a free one).")
  int registryPort;

  @Override
  public Integer call() throws Exception {
    try (ShutdownLatch latch = new ShutdownLatch();
        EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(new EmbeddedKafkaBroker.Options(port, dataDir, Map.of()));
        RegistryHttpServer registry =
            RegistryHttpServer.start(
                dataDir == null
                    ? CatalogSchemaRegistry.bundled()
                    : CatalogSchemaRegistry.persistent(dataDir.resolve("registry")),
                "127.0.0.1",
                registryPort)) {
      System.out.println("Kafka broker:     " + broker.bootstrapServers());
      System.out.println(
          "Data directory:   " + (dataDir == null ? "(temporary)" : dataDir.toAbsolutePath()));
      System.out.println("Schema registry:  " + registry.url());
      System.out.println("Ready. Ctrl-C to stop.");
      System.out.flush();
      latch.await();
    }
    return SluiceCli.OK;
  }
}
