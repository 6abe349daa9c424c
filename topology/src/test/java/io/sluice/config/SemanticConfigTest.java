package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.app.SluiceApp;
import io.sluice.semantic.SemanticCache;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SemanticConfigTest {
  private static final String BASE =
      """
      providers: {sim: {type: openai, base_url: "http://127.0.0.1:1/v1"}}
      models: {gpt: {deployments: [{provider: sim, model: m}]}, other: {deployments: [{provider: sim, model: m}]}}
      """;

  private static SluiceConfig parse(String cache) {
    return SluiceConfig.parse(BASE + cache, "sluice.yaml", Map.of());
  }

  @Test
  void shouldBeOffByDefaultWithTheThresholdChosenOnTheLabelledSet() {
    SluiceConfig c = parse("");

    assertThat(c.cache().semantic().enabled()).isFalse();
    assertThat(c.cache().semantic().threshold()).isEqualTo(SemanticSection.DEFAULT_THRESHOLD);
    assertThat(SemanticCache.models(c)).isEmpty();
    assertThat(SluiceApp.cacheSettings(c).semantic("gpt")).isFalse();
  }

  @Test
  void givenModelsThenOnlyTheyUseTheSemanticCache() {
    SluiceConfig c = parse("cache: {semantic: {enabled: true, threshold: 0.9, models: [gpt]}}\n");

    assertThat(SluiceApp.cacheSettings(c).semantic("gpt")).isTrue();
    assertThat(SluiceApp.cacheSettings(c).semantic("other")).isFalse();
    assertThat(c.cache().semantic().threshold()).isEqualTo(0.9);
  }

  @Test
  void givenTheResponseCacheOffThenTheSemanticCacheIsOffToo() {
    SluiceConfig c = parse("cache: {enabled: false, semantic: {enabled: true, models: [gpt]}}\n");

    assertThat(SemanticCache.models(c)).isEmpty();
  }

  @Test
  void shouldRefuseBadSemanticSettingsNamingTheKey() {
    assertThatThrownBy(() -> parse("cache: {semantic: {threshold: 1.5}}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cache.semantic.threshold");
    assertThatThrownBy(() -> parse("cache: {semantic: {enabled: true, models: [nope]}}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cache.semantic.models names 'nope'");
    assertThatThrownBy(() -> parse("cache: {semantic: {workers: 0}}\n"))
        .hasMessageContaining("cache.semantic.workers");
    assertThatThrownBy(() -> parse("cache: {semantic: {treshold: 0.9}}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("treshold");
  }
}
