package io.sluice.config;

import io.sluice.guardrails.PiiMode;
import java.util.Map;

/** Checks {@code guardrails:} and every {@code tenants.<id>.guardrails:}; messages name the key. */
final class GuardrailsValidator {
  private GuardrailsValidator() {}

  static void validate(SluiceConfig c, String p) {
    check(c.guardrails(), null, p + "guardrails.pii.");
    if (c.tenants() == null) {
      return;
    }
    for (Map.Entry<String, SluiceConfig.TenantConfig> t : c.tenants().entrySet()) {
      if (t.getValue() == null || t.getValue().guardrails() == null) {
        continue;
      }
      String key = p + "tenants." + t.getKey() + ".guardrails.pii.";
      GuardrailsSection.PiiSection own = t.getValue().guardrails().pii();
      if (own != null && own.key() != null) {
        throw new ConfigException(
            key + "key: the placeholder key is global only (guardrails.pii.key)");
      }
      check(c.guardrails(), t.getValue().guardrails(), key);
    }
  }

  private static void check(GuardrailsSection global, GuardrailsSection tenant, String key) {
    GuardrailsSection own = tenant != null ? tenant : global;
    if (own != null && own.pii() != null && own.pii().mode() != null) {
      if (PiiMode.parse(own.pii().mode()) == null) {
        throw new ConfigException(
            key + "mode must be off, mask or block, not '" + own.pii().mode() + "'");
      }
    }
    GuardrailsSection.policy(global, tenant)
        .problem()
        .ifPresent(
            problem -> {
              throw new ConfigException(key + problem);
            });
  }
}
