package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.SluiceConfig;
import io.sluice.frontdoor.FrontDoorSettings;
import io.sluice.frontdoor.ModelList;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrontDoorsTest {
  private static final String HASH =
      "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";

  private static final String YAML =
      """
      kafka: {bootstrap_servers: "b:9092"}
      providers:
        sim: {type: openai, base_url: "http://127.0.0.1:8000/v1"}
      models:
        gpt: {deployments: [{provider: sim, model: m}]}
        claude: {deployments: [{provider: sim, model: m}]}
      tenants:
        acme: {models: [gpt], api_keys: ["%s"]}
        all: {}
      sessions: {request_timeout: 45s}
      front_door: {port: 0, instance_id: 7}
      """
          .formatted(HASH);

  @Test
  void shouldMapTheConfigOntoTheFrontDoorsSettings() {
    // Given
    SluiceConfig c = SluiceConfig.parse(YAML, "t.yaml", Map.of());

    // When
    FrontDoorSettings s = FrontDoors.settings(c);

    // Then
    assertThat(s.auth()).isEqualTo(FrontDoorSettings.AuthMode.KEYS);
    assertThat(s.apiKeys()).containsEntry(HASH.toLowerCase(), "acme");
    assertThat(s.instanceId()).isEqualTo(7);
    assertThat(s.defaultTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(s.requestsTopic()).isEqualTo("llm.requests");
    assertThat(s.repliesTopic()).isEqualTo("llm.replies");
    assertThat(s.kafka().getProperty("bootstrap.servers")).isEqualTo("b:9092");
  }

  @Test
  void shouldListTheAliasesATenantMayUse() {
    ModelList models = FrontDoors.models(SluiceConfig.parse(YAML, "t.yaml", Map.of()));

    assertThat(models.aliases("acme")).containsExactly("gpt");
    assertThat(models.aliases("all")).containsExactly("claude", "gpt");
    assertThat(models.aliases("stranger")).isEmpty();
  }

  @Test
  void givenAProfile_whenTheSettingsAreBuilt_thenTheDoorsClientsTakeItUnderTheUsersProperties() {
    // Given
    SluiceConfig balanced = SluiceConfig.parse(YAML, "t.yaml", Map.of());
    SluiceConfig low =
        SluiceConfig.parse(
            YAML.replace("kafka: {", "kafka: {profile: low_latency, "), "t.yaml", Map.of());
    SluiceConfig tuned =
        SluiceConfig.parse(
            YAML.replace(
                "kafka: {", "kafka: {profile: throughput, properties: {linger.ms: \"3\"}, "),
            "t.yaml",
            Map.of());

    // When / Then: balanced leaves each client its own default
    assertThat(FrontDoors.settings(balanced).kafka()).doesNotContainKey("linger.ms");
    assertThat(FrontDoors.settings(low).kafka()).containsEntry("linger.ms", "0");
    assertThat(FrontDoors.settings(tuned).kafka())
        .containsEntry("linger.ms", "3")
        .containsEntry("batch.size", "65536")
        .containsEntry("fetch.min.bytes", "16384");
  }
}
