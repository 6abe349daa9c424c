package io.sluice.cli;

import io.sluice.app.SluiceApp;
import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.tools.bridge.ToolBridge;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice bridge}: the RabbitMQ tool bridge alone. */
@Command(
    name = "bridge",
    mixinStandardHelpOptions = true,
    description =
        "Runs the RabbitMQ tool bridge alone: tool calls from the tool-calls topic to the tools exchange, replies back to the tool-results topic. The config needs a tools section. Ctrl-C stops it.")
final class BridgeCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "The config file (YAML).")
  Path config;

  @Override
  public Integer call() throws Exception {
    SluiceConfig c = SluiceConfig.load(config);
    if (c.tools() == null) {
      throw new ConfigException(
          config + ": tools is required for the bridge (tools.amqp_url, tools.exchange, ...)");
    }
    SchemaRegistry registry = SluiceApp.schemaRegistry(c);
    try (ShutdownLatch latch = new ShutdownLatch();
        ToolBridge bridge = ToolBridge.start(SluiceApp.bridgeOptions(c, registry))) {
      System.out.println(
          "Sluice tool bridge: "
              + c.topicNames().get("tool-calls")
              + " -> "
              + c.tools().exchange()
              + " -> "
              + c.topicNames().get("tool-results"));
      System.out.flush();
      latch.await();
      System.err.println(
          "published "
              + bridge.published()
              + " call(s), relayed "
              + bridge.replied()
              + " reply(ies)");
    }
    return SluiceCli.OK;
  }
}
