package io.sluice.liveconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class LiveSectionsTest {
  @Test
  void shouldCarryOnlyTheLiveSectionsOfAFile() {
    ObjectNode sections = LiveSections.of(LiveTestFiles.tree(LiveTestFiles.twoProviders(1, 2)));

    assertThat(sections.fieldNames())
        .toIterable()
        .containsExactly("providers", "models", "tenants", "cache");
  }

  @Test
  void shouldGiveTheSameDigestWhateverTheOrderOfKeys() {
    ObjectNode one = LiveTestFiles.tree("models: {a: {retries: 1, strategy: weighted}}");
    ObjectNode two = LiveTestFiles.tree("models: {a: {strategy: weighted, retries: 1}}");
    ObjectNode other = LiveTestFiles.tree("models: {a: {strategy: weighted, retries: 2}}");

    assertThat(LiveSections.digest(one)).isEqualTo(LiveSections.digest(two)).hasSize(64);
    assertThat(LiveSections.digest(other)).isNotEqualTo(LiveSections.digest(one));
  }

  @Test
  void shouldMaskSecretsButShowEnvironmentReferences() {
    ObjectNode tree =
        LiveTestFiles.tree(
            """
            providers:
              a: {api_key: "sk-live-123", headers: {Authorization: "Bearer xyz"}}
              b: {api_key: "${B_KEY}"}
              c: {api_key: "${C_KEY:-sk-default}"}
            tenants: {acme: {api_keys: ["abc123"]}}
            """);

    String shown = LiveSections.masked(tree).toString();

    assertThat(shown)
        .doesNotContain("sk-live-123", "xyz", "abc123", "sk-default")
        .contains("${B_KEY}", "****", "Authorization");
  }

  @Test
  void shouldReadBackAVersionItWrote() {
    ConfigVersion v = LiveTestFiles.version(3, LiveTestFiles.twoProviders(1, 2));

    ConfigVersion back = ConfigVersion.fromJson(v.toJson());

    assertThat(back).isEqualTo(v);
    assertThat(ConfigVersion.key(3)).isEqualTo("000000000003");
    assertThatThrownBy(() -> ConfigVersion.fromJson("{\"version\": 0}".getBytes()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
