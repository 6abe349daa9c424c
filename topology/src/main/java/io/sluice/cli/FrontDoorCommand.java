package io.sluice.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.app.FrontDoors;
import io.sluice.app.SluiceApp;
import io.sluice.config.FrontDoorSection;
import io.sluice.config.SluiceConfig;
import io.sluice.frontdoor.FrontDoor;
import io.sluice.http.AdminHttpServer;
import io.sluice.http.HealthCheck;
import io.sluice.liveconfig.ConfigInForce;
import io.sluice.liveconfig.ConfigReader;
import io.sluice.liveconfig.ConfigTopic;
import io.sluice.schema.registry.SchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice front-door}: the HTTP front door alone, a Kafka client with no Kafka Streams. */
@Command(
    name = "front-door",
    mixinStandardHelpOptions = true,
    description =
        "Runs the OpenAI- and Anthropic-compatible HTTP front door alone (no Kafka Streams): it produces each call to the requests topic and answers it from its own reply partition, so it scales apart from the gateway. Uses the config's front_door section (defaults when it has none); metrics and health on http.port. Ctrl-C stops it.")
final class FrontDoorCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "The config file (YAML).")
  Path config;

  @Override
  @SuppressWarnings("try")
  public Integer call() throws Exception {
    SluiceConfig c = SluiceConfig.load(config);
    FrontDoorSection f = c.frontDoor() != null ? c.frontDoor() : FrontDoorSection.defaults();
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // live configuration: model list, PII guards and configured keys follow the config topic
    ConfigInForce live = ConfigInForce.startingWith(c);
    Properties client = new Properties();
    c.kafka().properties().forEach(client::setProperty);
    client.setProperty("bootstrap.servers", c.kafka().bootstrapServers());
    try (ShutdownLatch latch = new ShutdownLatch();
        ConfigReader reader =
            ConfigReader.start(live, client, ConfigTopic.name(c), meters, Duration.ofSeconds(10));
        SchemaRegistry schemas = SluiceApp.schemaRegistry(c);
        FrontDoor door = FrontDoors.start(c, schemas, meters, live);
        AdminHttpServer admin =
            AdminHttpServer.start(
                c.http().host(),
                c.http().port(),
                meters,
                () -> new HealthCheck.Status(true, "RUNNING"))) {
      System.out.println("Sluice front door: " + door.url() + " (auth " + f.auth() + ")");
      System.out.println("  OpenAI base URL: " + door.url() + "/v1");
      System.out.println(
          "  Metrics and health: " + admin.url() + "/metrics, " + admin.url() + "/health");
      System.out.flush();
      latch.await();
      return SluiceCli.OK;
    }
  }
}
