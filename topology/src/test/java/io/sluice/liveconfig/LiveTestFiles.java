package io.sluice.liveconfig;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sluice.config.SluiceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Config files and versions for the live configuration tests. */
final class LiveTestFiles {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static final String BOOTSTRAP =
      """
      kafka: {application_id: live-test, linger_ms: 3}
      providers:
        a: {type: openai, base_url: "http://127.0.0.1:1/v1"}
      models:
        gpt: {deployments: [{provider: a, model: m}]}
      cache: {ttl: 1h}
      http: {port: 0}
      """;

  private LiveTestFiles() {}

  static SluiceConfig bootstrap() {
    return SluiceConfig.parse(BOOTSTRAP, "bootstrap.yaml", Map.of());
  }

  /** Version {@code n} with the live sections of {@code yaml}. */
  static ConfigVersion version(long n, String yaml) {
    ObjectNode sections = LiveSections.of(tree(yaml));
    return new ConfigVersion(
        n, 1_000L * n, "tester@here", "v" + n + ".yaml", LiveSections.digest(sections), sections);
  }

  static ObjectNode tree(String yaml) {
    try {
      return (ObjectNode) YAML.readTree(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Two providers, {@code gpt} weighted between them, with a fallback alias. */
  static String twoProviders(double weightA, double weightB) {
    return """
        kafka: {application_id: ignored-here}
        providers:
          a: {type: openai, base_url: "http://127.0.0.1:1/v1"}
          b: {type: openai, base_url: "http://127.0.0.1:2/v1", api_key: "${B_KEY}"}
        models:
          gpt:
            deployments: [{provider: a, model: m, weight: %s}, {provider: b, model: m, weight: %s}]
            fallbacks: [backup]
          backup: {deployments: [{provider: b, model: m2}]}
        tenants: {acme: {models: [gpt]}}
        cache: {ttl: 5m, scope: global}
        """
        .formatted(weightA, weightB);
  }
}
