package io.sluice.cli;

import io.sluice.config.SluiceConfig;
import io.sluice.schema.registry.HttpSchemaRegistry;
import io.sluice.schema.registry.SchemaRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The options every client command shares: where Kafka and the schema registry are, directly or
 * from a config file. Flags win over the file; without either, the bundled catalog is the registry
 * and {@code 127.0.0.1:9092} the broker.
 */
final class ClientOptions {
  @Option(
      names = {"--bootstrap", "-b"},
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (default: the config's, else 127.0.0.1:9092).")
  String bootstrap;

  @Option(
      names = "--registry",
      paramLabel = "URL",
      description = "Schema registry URL (default: the config's, else the bundled catalog).")
  String registry;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Read bootstrap servers, registry, topic names and Kafka properties from FILE.")
  Path config;

  private SluiceConfig loaded;

  SluiceConfig config() {
    if (loaded == null) {
      loaded = config != null ? SluiceConfig.load(config) : SluiceConfig.defaults();
    }
    return loaded;
  }

  String bootstrapServers() {
    return bootstrap != null ? bootstrap : config().kafka().bootstrapServers();
  }

  /** Kafka client properties: the config's {@code kafka.properties} plus the bootstrap servers. */
  Properties kafkaProperties() {
    Properties p = new Properties();
    config().kafka().properties().forEach(p::setProperty);
    p.setProperty("bootstrap.servers", bootstrapServers());
    return p;
  }

  SchemaRegistry schemaRegistry() {
    if (registry != null) {
      return new HttpSchemaRegistry(HttpSchemaRegistry.Options.of(registry));
    }
    return io.sluice.app.SluiceApp.schemaRegistry(config());
  }

  Map<String, String> topicNames() {
    return config().topicNames();
  }
}
