package io.sluice.config;

import io.sluice.guardrails.PiiGuard;
import io.sluice.guardrails.PiiGuards;
import java.util.HashMap;
import java.util.Map;

/** The PII guard of every tenant, from {@code guardrails} and {@code tenants.<id>.guardrails}. */
public final class Guardrails {
  private Guardrails() {}

  /** The guards of a validated {@code config}. */
  public static PiiGuards pii(SluiceConfig config) {
    PiiGuard global = GuardrailsSection.policy(config.guardrails(), null).compile();
    Map<String, PiiGuard> tenants = new HashMap<>();
    if (config.tenants() != null) {
      config
          .tenants()
          .forEach(
              (id, t) -> {
                if (t != null && t.guardrails() != null) {
                  tenants.put(
                      id, GuardrailsSection.policy(config.guardrails(), t.guardrails()).compile());
                }
              });
    }
    return new PiiGuards(global, tenants);
  }
}
