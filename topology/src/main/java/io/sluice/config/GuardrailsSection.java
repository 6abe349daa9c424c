package io.sluice.config;

import io.sluice.guardrails.PiiMode;
import io.sluice.guardrails.PiiPolicy;
import java.util.List;
import java.util.Map;

/**
 * {@code guardrails:} (and {@code tenants.<id>.guardrails:}) what is done with personal data before
 * a request goes on. Every key is in the README ("PII redaction").
 */
public record GuardrailsSection(PiiSection pii) {

  /**
   * {@code guardrails.pii:}. A tenant's section overrides the global one key by key: a key the
   * tenant leaves out keeps the global value.
   *
   * @param mode off (default), mask or block
   * @param entities built-in types to look for (default: all); custom names may be listed too
   * @param custom name to regular expression: more types to look for
   * @param restore put the originals back into the answers the front door gives (default false)
   * @param phoneRegion region of phone numbers written without a country code (default US; ZZ: only
   *     numbers with +)
   * @param key the placeholders' HMAC key (global only); set it from the environment
   */
  public record PiiSection(
      String mode,
      List<String> entities,
      Map<String, String> custom,
      Boolean restore,
      String phoneRegion,
      String key) {
    @Override
    public String toString() {
      return "PiiSection[mode=" + mode + ", entities=" + entities + ", restore=" + restore + "]";
    }
  }

  /** The policy of {@code global} overridden by {@code tenant} (either may be null). */
  public static PiiPolicy policy(GuardrailsSection global, GuardrailsSection tenant) {
    PiiSection g = global != null && global.pii() != null ? global.pii() : null;
    PiiSection t = tenant != null && tenant.pii() != null ? tenant.pii() : null;
    String mode = pick(t == null ? null : t.mode(), g == null ? null : g.mode());
    Boolean restore = pick(t == null ? null : t.restore(), g == null ? null : g.restore());
    return new PiiPolicy(
        mode == null ? PiiMode.OFF : PiiMode.parse(mode),
        pick(t == null ? null : t.entities(), g == null ? null : g.entities()),
        pick(t == null ? null : t.custom(), g == null ? null : g.custom()),
        restore != null && restore,
        pick(t == null ? null : t.phoneRegion(), g == null ? null : g.phoneRegion()),
        g == null ? null : g.key());
  }

  private static <T> T pick(T tenant, T global) {
    return tenant != null ? tenant : global;
  }
}
