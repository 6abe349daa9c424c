package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.SluiceConfig;
import io.sluice.provider.ProviderClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A new config version keeps the clients of unchanged providers and replaces the others. */
class ProvidersUpdateTest {
  private static final String V0 =
      """
      providers:
        a: {type: openai, base_url: "http://127.0.0.1:1/v1"}
        b: {type: openai, base_url: "http://127.0.0.1:2/v1", timeout_ms: 1000}
        c: {type: anthropic, base_url: "https://127.0.0.1:3"}
      """;
  private static final String V1 =
      """
      providers:
        a: {type: openai, base_url: "http://127.0.0.1:1/v1"}
        b: {type: openai, base_url: "http://127.0.0.1:2/v1", timeout_ms: 2000}
        d: {type: openai, base_url: "https://127.0.0.1:4/v1"}
      """;

  @Test
  void shouldKeepUnchangedClientsAndRetireChangedAndDroppedOnes() {
    try (Providers providers = Providers.from(SluiceConfig.parse(V0, "v0", Map.of()))) {
      Map<String, ProviderClient> before = providers.clients();

      Map<String, ProviderClient> after = providers.update(SluiceConfig.parse(V1, "v1", Map.of()));

      assertThat(after).containsOnlyKeys("a", "b", "d");
      assertThat(after.get("a")).isSameAs(before.get("a"));
      assertThat(after.get("b")).isNotSameAs(before.get("b"));
      assertThat(providers.takeRetired()).hasSize(2); // b's old client and c's
      assertThat(providers.takeRetired()).isEmpty();
      assertThat(providers.clients()).isEqualTo(after);
    }
  }
}
