package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A value the validator refuses is named with its key and the line it is on. */
class ConfigLinesTest {
  private static final String FILE =
      """
      providers:
        a: {type: openai, base_url: "http://127.0.0.1:1/v1"}
        b:
          type: openai
          base_url: "http://127.0.0.1:2/v1"
      models:
        gpt:
          deployments:
            - {provider: a, model: m, weight: 1}
            - provider: b
              model: m
              weight: 1
          fallbacks: [other]
        other:
          deployments: [{provider: a, model: m}]
      cache: {ttl: 1h}
      """;

  @Test
  void shouldNameTheLineOfAWeightTheValidatorRefuses() {
    // Given a negative weight on line 12
    String text = FILE.replace("      weight: 1\n", "      weight: -1\n");

    // Then the error names the file, the line and the key
    assertThatThrownBy(() -> SluiceConfig.parse(text, "live.yaml", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("live.yaml line 12: models.gpt.deployments[1].weight must be >= 0");
  }

  @Test
  void shouldNameTheLineOfAnUnknownProviderInAFlowMapping() {
    String text = FILE.replace("{provider: a, model: m, weight: 1}", "{provider: z, model: m}");

    assertThatThrownBy(() -> SluiceConfig.parse(text, "live.yaml", Map.of()))
        .hasMessageStartingWith("live.yaml line 9: models.gpt.deployments[0].provider");
  }

  @Test
  void shouldNameTheLineOfAFallbackToAnUnknownAlias() {
    String text = FILE.replace("fallbacks: [other]", "fallbacks: [nope]");

    assertThatThrownBy(() -> SluiceConfig.parse(text, "live.yaml", Map.of()))
        .hasMessageStartingWith("live.yaml line 13: models.gpt.fallbacks: 'nope'");
  }

  @Test
  void shouldNameTheLineOfABadDuration() {
    String text = FILE.replace("ttl: 1h", "ttl: soon");

    assertThatThrownBy(() -> SluiceConfig.parse(text, "live.yaml", Map.of()))
        .hasMessageStartingWith("live.yaml line 16: cache.ttl: 'soon' is not a duration");
  }

  @Test
  void shouldReadAConfigBackFromItsTreeUnchanged() {
    // Given a config with every section the contract names
    SluiceConfig c =
        SluiceConfig.parse(
            FILE
                + """
                tenants: {acme: {models: [gpt]}}
                tools: {amqp_url: "amqp://127.0.0.1:5672"}
                front_door: {auth: none}
                schema_registry: {url: "http://127.0.0.1:8081"}
                """,
            "live.yaml",
            Map.of());

    // When it is turned into a tree and validated back
    ObjectNode tree = ConfigTrees.tree(c);
    SluiceConfig back = ConfigTrees.validate(tree, "tree");

    // Then nothing changed
    assertThat(back).isEqualTo(c);
  }

  @Test
  void shouldSubstituteTheEnvironmentInStringValuesOnly() {
    ObjectNode tree =
        (ObjectNode)
            ConfigTrees.tree(SluiceConfig.parse(FILE, "live.yaml", Map.of()))
                .get("providers")
                .get("a");
    tree.put("api_key", "${KEY}");
    tree.put("max_concurrency", "${CONC:-7}");

    var out = ConfigTrees.substitute(tree, Map.of("KEY", "sk-1"), "v1");

    assertThat(out.get("api_key").asText()).isEqualTo("sk-1");
    assertThat(out.get("max_concurrency").asText()).isEqualTo("7");
    assertThatThrownBy(() -> ConfigTrees.substitute(tree, Map.of(), "v1"))
        .hasMessageContaining("environment variable KEY is not set");
  }
}
