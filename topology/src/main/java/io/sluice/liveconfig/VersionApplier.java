package io.sluice.liveconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigTrees;
import io.sluice.config.SluiceConfig;
import java.util.Map;

/**
 * Turns a {@link ConfigVersion} into the config an instance would run with: the instance's own file
 * with the version's live sections in place of its own (a section the version leaves out takes its
 * defaults, as in a file), substituted from the instance's environment and checked by the same
 * validator as a file. Pure: no I/O, nothing applied.
 */
public final class VersionApplier {
  private VersionApplier() {}

  /**
   * The config {@code v} gives an instance started from {@code bootstrap}.
   *
   * @throws ConfigException naming the version and the problem, when this instance cannot apply it
   *     (it fails validation here, e.g. an environment variable is missing, or it needs a restart:
   *     it enables the cache where the topology has no cache store, or gives a tenant limits where
   *     the topology has no admission stage)
   */
  public static InForce prepare(SluiceConfig bootstrap, ConfigVersion v, Map<String, String> env) {
    String source = "llm.config version " + v.version();
    if (!LiveSections.digest(v.sections()).equals(v.digest())) {
      throw new ConfigException(
          source + ": its digest does not match its sections (a damaged or hand-written record)");
    }
    ObjectNode merged = ConfigTrees.tree(bootstrap);
    for (String name : LiveSections.NAMES) {
      merged.remove(name);
    }
    for (Map.Entry<String, JsonNode> e : v.sections().properties()) {
      if (!LiveSections.NAMES.contains(e.getKey())) {
        throw new ConfigException(
            source + ": section '" + e.getKey() + "' is not one live configuration sets");
      }
    }
    ConfigTrees.substitute(v.sections(), env, source)
        .properties()
        .forEach(e -> merged.set(e.getKey(), e.getValue()));
    SluiceConfig next = ConfigTrees.validate(merged, source);
    if (next.cache().enabled() && !bootstrap.cache().enabled()) {
      throw new ConfigException(
          source
              + ": cache.enabled: this instance started with the cache disabled, so its topology"
              + " has no cache store; enabling it needs a restart");
    }
    if (next.admissionEnabled() && !bootstrap.admissionEnabled()) {
      throw new ConfigException(
          source
              + ": tenants."
              + firstWithLimits(next)
              + ": this instance started without the admission stage (admission.limits: auto"
              + " and no tenant limits or keys in its file), so nothing here could enforce the"
              + " limits; set admission.limits: on in the instance's file and restart it");
    }
    return InForce.of(v.version(), v.digest(), v.appliedAtMs(), next);
  }

  private static String firstWithLimits(SluiceConfig c) {
    return c.tenants().entrySet().stream()
        .filter(e -> e.getValue() != null && e.getValue().hasLimits())
        .map(Map.Entry::getKey)
        .sorted()
        .findFirst()
        .map(id -> id + " has limits")
        .orElse("<id> limits");
  }
}
