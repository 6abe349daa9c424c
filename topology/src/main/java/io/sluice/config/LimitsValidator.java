package io.sluice.config;

import java.util.Map;
import java.util.Set;

/** Checks {@code admission:} and the limits of {@code tenants.<id>}; messages name the key. */
final class LimitsValidator {
  private LimitsValidator() {}

  private static final Set<String> MODES =
      Set.of(AdmissionSection.AUTO, AdmissionSection.ON, AdmissionSection.OFF);

  static void validate(SluiceConfig c, String p) {
    AdmissionSection a = c.admission();
    require(
        MODES.contains(a.limits()),
        p + "admission.limits must be auto, on or off, not '" + a.limits() + "'");
    require(a.defaultMaxTokens() > 0, p + "admission.default_max_tokens must be > 0");
    if (c.tenants() == null) {
      return;
    }
    for (Map.Entry<String, SluiceConfig.TenantConfig> e : c.tenants().entrySet()) {
      SluiceConfig.TenantConfig t = e.getValue();
      if (t == null) {
        continue; // reported by FrontDoorValidator
      }
      String key = p + "tenants." + e.getKey();
      require(t.rpm() == null || t.rpm() > 0, key + ".rpm must be > 0");
      require(t.tpm() == null || t.tpm() > 0, key + ".tpm must be > 0");
      require(t.maxParallel() == null || t.maxParallel() > 0, key + ".max_parallel must be > 0");
      require(
          t.budgetUsd() == null || (t.budgetUsd() > 0 && Double.isFinite(t.budgetUsd())),
          key + ".budget_usd must be > 0");
      require(
          t.budgetPeriod() == null || SluiceConfig.TenantConfig.PERIODS.contains(t.budgetPeriod()),
          key + ".budget_period must be day or month, not '" + t.budgetPeriod() + "'");
      require(
          t.budgetPeriod() == null || t.budgetUsd() != null,
          key + ".budget_period needs " + "tenants." + e.getKey() + ".budget_usd");
      require(
          !(t.hasLimits() && AdmissionSection.OFF.equals(a.limits())),
          key
              + " has limits, but admission.limits is off: they would not be enforced (remove"
              + " them, or set admission.limits to auto or on)");
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new ConfigException(message);
    }
  }
}
