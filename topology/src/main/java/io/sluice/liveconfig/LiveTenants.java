package io.sluice.liveconfig;

import io.sluice.config.SluiceConfig;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A read-only view of the tenants in force: each call reads the current map, so code that was
 * handed a tenants map at start sees every version applied since.
 */
final class LiveTenants extends AbstractMap<String, SluiceConfig.TenantConfig> {
  private final Supplier<Map<String, SluiceConfig.TenantConfig>> current;

  LiveTenants(Supplier<Map<String, SluiceConfig.TenantConfig>> current) {
    this.current = current;
  }

  @Override
  public SluiceConfig.TenantConfig get(Object key) {
    return current.get().get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return current.get().containsKey(key);
  }

  @Override
  public boolean isEmpty() {
    return current.get().isEmpty();
  }

  @Override
  public int size() {
    return current.get().size();
  }

  @Override
  public Set<Entry<String, SluiceConfig.TenantConfig>> entrySet() {
    return current.get().entrySet();
  }
}
