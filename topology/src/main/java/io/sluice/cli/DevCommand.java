package io.sluice.cli;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.sluice.app.FrontDoors;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.DevStack;
import io.sluice.dev.TempDir;
import io.sluice.dev.sim.SimFaults;
import io.sluice.frontdoor.FrontDoor;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.tools.samples.Calculator;
import io.sluice.tools.worker.ToolWorker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice dev}: the zero-setup stack and the gateway in one process. */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description =
        "The zero-setup main job: an embedded Kafka broker with Sluice's topics, the schema catalog over the Schema Registry REST API, the LLM simulator and the gateway, in one process. Prints the addresses; Ctrl-C stops it. With --demo it sends sample requests, prints their responses and exits.")
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
      description = "Schema registry port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int registryPort;

  @Option(
      names = "--sim-port",
      paramLabel = "S",
      defaultValue = "8000",
      description = "LLM simulator port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int simPort;

  @Option(
      names = "--http-port",
      paramLabel = "H",
      defaultValue = "8080",
      description =
          "Gateway metrics and health port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int httpPort;

  @Option(
      names = "--front-door-port",
      paramLabel = "P",
      defaultValue = "4000",
      description =
          "HTTP front door port, OpenAI- and Anthropic-compatible, auth none (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int frontDoorPort;

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
      names = "--guarantee",
      paramLabel = "G",
      defaultValue = "exactly_once_v2",
      description = "exactly_once_v2 or at_least_once (default ${DEFAULT-VALUE}).")
  String guarantee;

  @Option(
      names = "--data-dir",
      paramLabel = "D",
      description =
          "Keep Kafka's data and the gateway's state here across restarts (default: temporary).")
  Path dataDir;

  @Option(
      names = "--demo",
      description =
          "Send sample requests across two sessions, print the responses and exit (0 if all were answered).")
  boolean demo;

  @Option(
      names = "--amqp-url",
      paramLabel = "URL",
      defaultValue = "amqp://guest:guest@127.0.0.1:5672",
      description =
          "RabbitMQ for tool calls (default ${DEFAULT-VALUE}); without it, dev runs without tools.")
  String amqpUrl;

  @Override
  public Integer call() throws Exception {
    DevLogging quiet = DevLogging.quiet();
    try (quiet) {
      return runStack();
    }
  }

  private int runStack() throws Exception {
    SimFaults faults = new SimFaults(simLatencyMs, 0, 0, "500", 1, 0);
    // without --data-dir the broker's data is temporary, and so is the gateway's state
    TempDir tempState = dataDir != null ? null : TempDir.createForState("sluice-dev-state-");
    Path stateDir = dataDir != null ? dataDir.resolve("state") : tempState.path();
    String rabbit = reachable(amqpUrl) ? amqpUrl : null;
    try (ShutdownLatch latch = new ShutdownLatch();
        tempState;
        DevStack stack =
            DevStack.start(
                new DevStack.Options(port, registryPort, simPort, dataDir, faults, partitions));
        ToolWorker workers =
            rabbit == null
                ? null
                : ToolWorker.builder(rabbit)
                    .tool(Calculator.NAME, new Calculator())
                    .tool(io.sluice.tools.samples.Clock.NAME, new io.sluice.tools.samples.Clock())
                    .start()) {
      SluiceConfig config =
          DevConfig.of(
              stack.bootstrapServers(),
              stack.simulator().url(),
              httpPort,
              frontDoorPort,
              stateDir.toString(),
              guarantee,
              partitions,
              rabbit);
      try (SluiceApp app = SluiceApp.start(config);
          SchemaRegistry schemas = SluiceApp.schemaRegistry(config);
          FrontDoor door = startFrontDoor(config, schemas, app)) {
        System.out.println("Sluice dev stack");
        System.out.println("  Kafka bootstrap:  " + stack.bootstrapServers());
        System.out.println("  Schema registry:  " + stack.registryUrl());
        System.out.println(
            "  LLM simulator:    "
                + stack.simulator().url()
                + " (OpenAI /v1/chat/completions, Anthropic /v1/messages)");
        System.out.println(
            "  Gateway:          "
                + app.adminUrl()
                + "/metrics, "
                + app.adminUrl()
                + "/health ("
                + guarantee
                + ")");
        if (door != null) {
          System.out.println("  Front door:       " + door.url() + " (auth none)");
          System.out.println("  OpenAI base URL: " + door.url() + "/v1");
        }
        System.out.println("  Models:           gpt-4o-mini, claude-haiku (both on the simulator)");
        System.out.println(
            "  Tools:            "
                + (workers != null
                    ? "calculator and clock workers on "
                        + redact(rabbit)
                        + " (exchange sluice.tools)"
                    : "off: RabbitMQ is not reachable at "
                        + redact(amqpUrl)
                        + " (start rabbitmq-server to try tool calls)"));
        System.out.println(
            "  Try:              echo '{\"request_id\":\"r1\",\"session_id\":\"s1\",\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}' | ./sluice produce -b "
                + stack.bootstrapServers());
        System.out.println(
            "                    ./sluice consume -b "
                + stack.bootstrapServers()
                + " --from-beginning");
        if (door != null) {
          System.out.println(
              "                    curl -s "
                  + door.url()
                  + "/v1/chat/completions -H 'content-type: application/json' -d '{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}'");
        }
        System.out.flush();
        if (demo) {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          while (app.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
            if (app.awaitStopped(100, TimeUnit.MILLISECONDS)) {
              return SluiceCli.FAILURE;
            }
          }
          System.out.println();
          boolean ok =
              DemoRun.run(
                  stack.bootstrapServers(),
                  config.topicNames().get("requests"),
                  config.topicNames().get("responses"),
                  workers != null,
                  Duration.ofSeconds(60),
                  System.out);
          return ok ? SluiceCli.OK : SluiceCli.FAILURE;
        }
        System.out.println("Ready. Ctrl-C to stop.");
        return RunCommand.waitForStop(latch, app);
      }
    }
  }

  /**
   * The front door of the dev stack, or null (saying why) when it cannot start: the rest of the
   * stack is still useful over Kafka.
   */
  private static FrontDoor startFrontDoor(
      SluiceConfig config, SchemaRegistry schemas, SluiceApp app) {
    try {
      return FrontDoors.start(config, schemas, app.metrics(), app.configInForce());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (RuntimeException e) {
      System.out.println("  Front door:       off: " + e.getMessage());
      return null;
    }
  }

  /** Whether RabbitMQ answers at {@code uri} within a second or two. */
  static boolean reachable(String uri) {
    ConnectionFactory f = new ConnectionFactory();
    try {
      f.setUri(uri);
      f.setConnectionTimeout(1500);
      f.setHandshakeTimeout(1500);
      try (Connection c = f.newConnection("sluice-dev-probe")) {
        return c.isOpen();
      }
    } catch (Exception e) {
      return false;
    }
  }

  private static String redact(String uri) {
    return uri.replaceAll("//[^@/]*@", "//");
  }
}
