package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.SluiceConfig;
import io.sluice.frontdoor.ModelList;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The front door's model list reads the config in force at each call (live configuration). */
class FrontDoorsLiveTest {
  private static final String V0 =
      """
      providers: {sim: {type: openai, base_url: "http://127.0.0.1:8000/v1"}}
      models: {gpt: {deployments: [{provider: sim, model: m}]}}
      tenants: {acme: {models: [gpt]}}
      """;
  private static final String V1 =
      """
      providers: {sim: {type: openai, base_url: "http://127.0.0.1:8000/v1"}}
      models:
        gpt: {deployments: [{provider: sim, model: m}]}
        gpt2: {deployments: [{provider: sim, model: m2}]}
      tenants: {acme: {models: ["*"]}, beta: {models: [gpt2]}}
      """;

  @Test
  void shouldListTheModelsAndTenantsOfTheConfigInForce() {
    AtomicReference<SluiceConfig> inForce =
        new AtomicReference<>(SluiceConfig.parse(V0, "v0", Map.of()));
    ModelList models = FrontDoors.models(inForce::get);
    assertThat(models.aliases("acme")).containsExactly("gpt");
    assertThat(models.aliases("beta")).isEmpty();

    inForce.set(SluiceConfig.parse(V1, "v1", Map.of()));

    assertThat(models.aliases("acme")).containsExactly("gpt", "gpt2");
    assertThat(models.aliases("beta")).containsExactly("gpt2");
  }
}
