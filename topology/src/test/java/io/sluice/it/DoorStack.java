package io.sluice.it;

import io.sluice.app.FrontDoors;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.frontdoor.FrontDoor;
import io.sluice.frontdoor.auth.ApiKeyAuthenticator;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dev stack in this JVM for the real-client tests: an embedded broker, the simulator, the
 * topology and the front door on 127.0.0.1. Aliases: {@code gpt} (an OpenAI-compatible provider),
 * {@code claude} (an Anthropic provider: the same simulator's {@code /v1/messages}), {@code
 * limited} (a provider that always answers 429, no retry, no fallback). Tenant {@code it}, key
 * {@link #KEY}.
 */
final class DoorStack implements AutoCloseable {
  static final String KEY = "sk-real-clients-it";
  private static final Pattern REQUESTS = Pattern.compile("\"requests\"\\s*:\\s*(\\d+)");

  final EmbeddedKafkaBroker broker;
  final LlmSimulator sim;
  final LlmSimulator limited;
  final SluiceApp app;
  final FrontDoor door;

  private DoorStack(
      EmbeddedKafkaBroker broker,
      LlmSimulator sim,
      LlmSimulator limited,
      SluiceApp app,
      FrontDoor door) {
    this.broker = broker;
    this.sim = sim;
    this.limited = limited;
    this.app = app;
    this.door = door;
  }

  static DoorStack start(String name) throws Exception {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
    LlmSimulator sim =
        LlmSimulator.start(LlmSimulator.Options.loopback(0, new SimFaults(5, 0, 0, "500", 1, 0)));
    LlmSimulator limited =
        LlmSimulator.start(LlmSimulator.Options.loopback(0, new SimFaults(0, 0, 1, "429", 2, 0)));
    Path state = Files.createTempDirectory("sluice-" + name);
    String yaml =
        """
        kafka:
          bootstrap_servers: %s
          application_id: %s
          state_dir: %s
        topics:
          partitions: 2
        providers:
          sim-openai: {type: openai, base_url: "%s/v1", api_key: k}
          sim-anthropic: {type: anthropic, base_url: "%s", api_key: k}
          sim-limited: {type: openai, base_url: "%s/v1", api_key: k}
        models:
          gpt: {deployments: [{provider: sim-openai, model: sim-gpt}]}
          claude: {deployments: [{provider: sim-anthropic, model: sim-claude}]}
          limited: {deployments: [{provider: sim-limited, model: sim-limited}], retries: 0}
        cache:
          enabled: false
        tenants:
          it: {models: ["*"], api_keys: ["%s"]}
        http: {port: 0}
        front_door:
          port: 0
          auth: keys
          max_in_flight: 512
          max_body_bytes: 65536
          instance_id: 0
        """
            .formatted(
                broker.bootstrapServers(),
                name,
                state,
                sim.url(),
                sim.url(),
                limited.url(),
                ApiKeyAuthenticator.sha256Hex(KEY));
    SluiceConfig config = SluiceConfig.parse(yaml, name + ".yaml", Map.of());
    SluiceApp app = Topics.startGateway(broker.bootstrapServers(), config);
    FrontDoor door = FrontDoors.start(config, CatalogSchemaRegistry.bundled(), app.metrics());
    return new DoorStack(broker, sim, limited, app, door);
  }

  /** The OpenAI base URL clients are pointed at. */
  String openAiBaseUrl() {
    return door.url() + "/v1";
  }

  /** Calls the simulator has answered since it started ({@code GET /stats}). */
  long simRequests() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(sim.url() + "/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
    Matcher m = REQUESTS.matcher(r.body());
    if (!m.find()) {
      throw new IllegalStateException("no request count in " + r.body());
    }
    return Long.parseLong(m.group(1));
  }

  @Override
  public void close() {
    door.close();
    app.close();
    sim.close();
    limited.close();
    broker.close();
  }
}
