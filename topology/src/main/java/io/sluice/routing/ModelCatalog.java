package io.sluice.routing;

import io.sluice.config.SluiceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The routing table from the config: a request's {@code model} is a configured alias, or {@code
 * provider/model} to name one deployment of a configured provider directly. Immutable.
 */
public final class ModelCatalog {
  private static final int DIRECT_RETRIES = 2;

  private final Map<String, ModelRoute> aliases;
  private final Map<String, SluiceConfig.ProviderConfig> providers;

  /** Null for a fixed table; else each lookup asks it for the table in force. */
  private final Supplier<ModelCatalog> live;

  private ModelCatalog(
      Map<String, ModelRoute> aliases,
      Map<String, SluiceConfig.ProviderConfig> providers,
      Supplier<ModelCatalog> live) {
    this.aliases = aliases;
    this.providers = providers;
    this.live = live;
  }

  /**
   * A catalog that answers each lookup from the fixed catalog {@code current} returns at that
   * moment: the routing table of the config in force (live configuration).
   */
  public static ModelCatalog following(Supplier<ModelCatalog> current) {
    return new ModelCatalog(Map.of(), Map.of(), current);
  }

  public static ModelCatalog from(SluiceConfig config) {
    Map<String, ModelRoute> aliases = new TreeMap<>();
    config
        .models()
        .forEach(
            (alias, m) -> {
              List<Deployment> ds = new ArrayList<>();
              for (SluiceConfig.DeploymentConfig d : m.deployments()) {
                ds.add(
                    new Deployment(
                        d.provider(),
                        d.model(),
                        d.weight(),
                        d.pricePerMtok().input(),
                        d.pricePerMtok().output()));
              }
              aliases.put(
                  alias,
                  new ModelRoute(alias, m.strategy(), List.copyOf(ds), m.retries(), m.fallbacks()));
            });
    return new ModelCatalog(Map.copyOf(aliases), Map.copyOf(config.providers()), null);
  }

  /** The route for {@code model}, if it is an alias or names a configured provider. */
  public Optional<ModelRoute> route(String model) {
    if (live != null) {
      return live.get().route(model);
    }
    if (model == null) {
      return Optional.empty();
    }
    ModelRoute alias = aliases.get(model);
    if (alias != null) {
      return Optional.of(alias);
    }
    int slash = model.indexOf('/');
    if (slash > 0
        && slash < model.length() - 1
        && providers.containsKey(model.substring(0, slash))) {
      Deployment d =
          new Deployment(model.substring(0, slash), model.substring(slash + 1), 1.0, 0, 0);
      return Optional.of(new ModelRoute(model, "weighted", List.of(d), DIRECT_RETRIES, List.of()));
    }
    return Optional.empty();
  }

  /** Every alias, sorted. */
  public List<String> aliases() {
    if (live != null) {
      return live.get().aliases();
    }
    return List.copyOf(aliases.keySet());
  }
}
