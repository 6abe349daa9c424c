package io.sluice.cli;

import io.sluice.app.FrontDoors;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.frontdoor.FrontDoor;
import io.sluice.schema.registry.SchemaRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice run}: the gateway against the Kafka, registry and providers of a config file. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Runs the gateway (and, when configured, the tool bridge and the HTTP front door) against the Kafka cluster, schema registry and providers named in the config file. Ctrl-C stops it.")
final class RunCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "The config file (YAML).")
  Path config;

  @Override
  public Integer call() throws Exception {
    SluiceConfig c = SluiceConfig.load(config);
    try (ShutdownLatch latch = new ShutdownLatch();
        SluiceApp app = SluiceApp.start(c);
        SchemaRegistry schemas = c.frontDoor() == null ? null : SluiceApp.schemaRegistry(c);
        FrontDoor door =
            schemas == null
                ? null
                : FrontDoors.start(c, schemas, app.metrics(), app.configInForce())) {
      System.out.println(
          "Sluice gateway running: "
              + c.kafka().bootstrapServers()
              + ", application "
              + c.kafka().applicationId()
              + ", "
              + c.kafka().processingGuarantee());
      System.out.println(
          "  Metrics and health: " + app.adminUrl() + "/metrics, " + app.adminUrl() + "/health");
      if (door != null) {
        System.out.println(
            "  Front door: " + door.url() + " (OpenAI base URL " + door.url() + "/v1)");
      }
      System.out.flush();
      return waitForStop(latch, app);
    }
  }

  /** Waits for Ctrl-C (exit 0) or for the gateway to stop on a fatal error (exit 1). */
  static int waitForStop(ShutdownLatch latch, SluiceApp app) throws InterruptedException {
    while (!latch.await(500, TimeUnit.MILLISECONDS)) {
      if (app.awaitStopped(0, TimeUnit.MILLISECONDS)) {
        System.err.println("sluice: the gateway stopped: " + app.fatalError());
        return SluiceCli.FAILURE;
      }
    }
    return SluiceCli.OK;
  }
}
