package io.sluice.liveconfig;

import io.sluice.admission.TenantLimits;
import io.sluice.config.ConfigTrees;
import io.sluice.config.SluiceConfig;
import io.sluice.guardrails.PiiGuards;
import io.sluice.routing.ModelCatalog;
import io.sluice.topology.CacheSettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The one holder of the config in force on an instance: an {@link InForce} snapshot swapped whole
 * when a new version is applied. Everything that follows live configuration reads {@link #current}
 * per request (or takes one of the views below); nothing else holds a mutable copy.
 *
 * <p>Thread-safe. Versions are applied by one thread (the {@link ConfigReader}); listeners run on
 * it, before the swap, so that the dispatcher has the new providers before ingest admits a request
 * for a model they serve.
 */
public final class ConfigInForce {
  private final SluiceConfig bootstrap;
  private final InForce file;
  private final AtomicReference<InForce> current;
  private final List<Consumer<InForce>> listeners = new CopyOnWriteArrayList<>();

  private ConfigInForce(SluiceConfig bootstrap) {
    this.bootstrap = bootstrap;
    this.file =
        InForce.of(
            0, LiveSections.digest(LiveSections.of(ConfigTrees.tree(bootstrap))), 0, bootstrap);
    this.current = new AtomicReference<>(file);
  }

  /** Starts with {@code bootstrap}, the instance's own file, as version 0. */
  public static ConfigInForce startingWith(SluiceConfig bootstrap) {
    return new ConfigInForce(bootstrap);
  }

  /** The instance's own file: the sections live configuration does not carry come from it. */
  public SluiceConfig bootstrap() {
    return bootstrap;
  }

  public InForce current() {
    return current.get();
  }

  /** Calls {@code listener} with every version applied from now on, before it is in force. */
  public void onChange(Consumer<InForce> listener) {
    listeners.add(listener);
  }

  /** Makes {@code next} the config in force, after telling the listeners. */
  void swap(InForce next) {
    for (Consumer<InForce> l : listeners) {
      l.accept(next);
    }
    current.set(next);
  }

  /** The routing table in force, looked up per call. */
  public ModelCatalog models() {
    return ModelCatalog.following(() -> current.get().models());
  }

  /** The tenants in force, read per call. */
  public Map<String, SluiceConfig.TenantConfig> tenants() {
    return new LiveTenants(() -> current.get().tenants());
  }

  /**
   * The tenants' limits in force: the admission stage asks per request and usage, and is answered
   * from the version's map (built once when the version was applied). A tenant's counters are the
   * stage's state and stay as they are when its limits change: a lowered rpm holds at once against
   * the requests of the last minute.
   */
  public TenantLimits limits() {
    return tenantId -> current.get().limits().forTenant(tenantId);
  }

  /** The PII guards in force (compiled once per version), for ingest, tool results, front door. */
  public PiiGuards pii() {
    return PiiGuards.following(() -> current.get().pii());
  }

  /** The front door's configured keys in force: SHA-256 hex to tenant, read per call. */
  public Map<String, String> apiKeys() {
    return current.get().apiKeys();
  }

  /** The cache settings in force, with the cache store as the instance's own file has it. */
  public CacheSettings cache() {
    return CacheSettings.following(file.cache(), () -> current.get().cache());
  }
}
