package io.sluice.cli;

import io.sluice.config.SluiceConfig;
import java.util.Map;

/**
 * The built-in config of {@code sluice dev}: the gateway on the embedded broker and the simulator.
 */
final class DevConfig {
  private DevConfig() {}

  static final String TEMPLATE =
      """
      kafka:
        bootstrap_servers: ${BOOTSTRAP}
        application_id: sluice-dev
        processing_guarantee: ${GUARANTEE}
        state_dir: ${STATE_DIR}
      topics:
        partitions: ${PARTITIONS}
      providers:
        sim:
          type: openai
          base_url: ${SIM_URL}/v1
          api_key: dev-key
          timeout_ms: 10000
          max_concurrency: 1024
      models:
        gpt-4o-mini:
          deployments:
            - {provider: sim, model: gpt-4o-mini, price_per_mtok: {input: 0.15, output: 0.60}}
        claude-haiku:
          deployments:
            - {provider: sim, model: claude-3-5-haiku-latest, price_per_mtok: {input: 0.80, output: 4.00}}
      http:
        port: ${HTTP_PORT}
      front_door:
        host: 127.0.0.1
        port: ${FRONT_DOOR_PORT}
        auth: none
      ${TOOLS}
      """;

  static SluiceConfig of(
      String bootstrap,
      String simUrl,
      int httpPort,
      int frontDoorPort,
      String stateDir,
      String guarantee,
      int partitions,
      String amqpUrl) {
    return SluiceConfig.parse(
        TEMPLATE,
        "built-in dev config",
        Map.of(
            "BOOTSTRAP",
            bootstrap,
            "SIM_URL",
            simUrl,
            "HTTP_PORT",
            String.valueOf(httpPort),
            "FRONT_DOOR_PORT",
            String.valueOf(frontDoorPort),
            "STATE_DIR",
            stateDir,
            "GUARANTEE",
            guarantee,
            "PARTITIONS",
            String.valueOf(partitions),
            "TOOLS",
            amqpUrl == null
                ? ""
                : "tools: {amqp_url: \"" + amqpUrl + "\", timeout_ms: 10000, max_rounds: 4}"));
  }
}
