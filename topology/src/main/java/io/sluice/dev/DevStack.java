package io.sluice.dev;

import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.kafka.TopicSetup;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.registry.RegistryHttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The zero-setup infrastructure of {@code sluice dev}: an embedded broker with Sluice's topics, the
 * catalog registry served over REST, and the LLM simulator, all on 127.0.0.1.
 */
public final class DevStack implements AutoCloseable {
  /** Ports (0 for free ones), data directory (null: temporary) and the simulator's faults. */
  public record Options(
      int brokerPort,
      int registryPort,
      int simPort,
      Path dataDir,
      SimFaults simFaults,
      int partitions) {
    public static Options ephemeral() {
      return new Options(0, 0, 0, null, SimFaults.NONE, 3);
    }
  }

  private final EmbeddedKafkaBroker broker;
  private final RegistryHttpServer registry;
  private final LlmSimulator simulator;

  private DevStack(
      EmbeddedKafkaBroker broker, RegistryHttpServer registry, LlmSimulator simulator) {
    this.broker = broker;
    this.registry = registry;
    this.simulator = simulator;
  }

  /** Starts everything and creates the topics; closes what started if a later part fails. */
  public static DevStack start(Options o) throws Exception {
    EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.start(
            new EmbeddedKafkaBroker.Options(o.brokerPort(), o.dataDir(), Map.of()));
    RegistryHttpServer registry = null;
    try {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        TopicSetup.ensure(
            admin,
            TopicSetup.specs(SluiceConfig.defaults(), o.partitions(), null),
            Duration.ofSeconds(30));
      }
      registry =
          RegistryHttpServer.start(
              o.dataDir() == null
                  ? CatalogSchemaRegistry.bundled()
                  : CatalogSchemaRegistry.persistent(o.dataDir().resolve("registry")),
              "127.0.0.1",
              o.registryPort());
      LlmSimulator sim =
          LlmSimulator.start(LlmSimulator.Options.loopback(o.simPort(), o.simFaults()));
      return new DevStack(broker, registry, sim);
    } catch (Exception | Error e) {
      if (registry != null) {
        registry.close();
      }
      broker.close();
      throw e;
    }
  }

  public EmbeddedKafkaBroker broker() {
    return broker;
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  public String registryUrl() {
    return registry.url();
  }

  public LlmSimulator simulator() {
    return simulator;
  }

  @Override
  public void close() {
    try {
      simulator.close();
      registry.close();
    } finally {
      broker.close();
    }
  }
}
