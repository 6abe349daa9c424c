package io.sluice.liveconfig;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.ConfigException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versions read from {@code llm.config}, in order, to a {@link ConfigInForce}: a
 * version newer than the one in force that validates here is put in force; one that does not is
 * logged, counted and ignored, and the instance keeps the config it had. Called by one thread (the
 * {@link ConfigReader}'s).
 *
 * <p>Metrics: {@code sluice_config_version} (in force; 0 for the instance's own file), {@code
 * sluice_config_applied_total}, {@code sluice_config_refused_total} and {@code
 * sluice_config_refused_version} (the latest version refused; 0 for none).
 */
final class ConfigFollower {
  private static final Logger log = LoggerFactory.getLogger(ConfigFollower.class);

  private final ConfigInForce holder;
  private final Supplier<Map<String, String>> env;
  private final Counter applied;
  private final Counter refused;
  private final AtomicLong refusedVersion = new AtomicLong();

  ConfigFollower(ConfigInForce holder, MeterRegistry meters, Supplier<Map<String, String>> env) {
    this.holder = holder;
    this.env = env;
    Gauge.builder("sluice.config.version", holder, h -> h.current().version())
        .description("the live config version in force (0: the instance's own file)")
        .register(meters);
    Gauge.builder("sluice.config.refused.version", refusedVersion, AtomicLong::get)
        .description("the latest live config version this instance refused (0: none)")
        .register(meters);
    this.applied =
        Counter.builder("sluice.config.applied")
            .description("live config versions applied")
            .register(meters);
    this.refused =
        Counter.builder("sluice.config.refused")
            .description("live config versions this instance could not apply and ignored")
            .register(meters);
  }

  /** Applies one record value of the topic (a tombstone is nothing to apply). */
  void offer(byte[] value, long offset) {
    if (value == null) {
      return;
    }
    ConfigVersion v;
    try {
      v = ConfigVersion.fromJson(value);
    } catch (IllegalArgumentException e) {
      refuse(0, "the record at offset " + offset + " is " + e.getMessage());
      return;
    }
    offer(v);
  }

  /** Applies {@code v} if it is newer than the version in force and valid here. */
  void offer(ConfigVersion v) {
    long before = holder.current().version();
    if (v.version() <= before) {
      return;
    }
    InForce next;
    try {
      next = VersionApplier.prepare(holder.bootstrap(), v, env.get());
    } catch (ConfigException e) {
      refuse(v.version(), e.getMessage());
      return;
    } catch (RuntimeException e) {
      // what is built once per version (guards' patterns, routing table) failed to build
      refuse(v.version(), "llm.config version " + v.version() + ": cannot be built: " + e);
      return;
    }
    try {
      holder.swap(next);
    } catch (RuntimeException e) {
      refuse(v.version(), "llm.config version " + v.version() + ": cannot be applied: " + e);
      return;
    }
    applied.increment();
    log.info(
        "live config: version {} in force (was {}), applied by {} at {} from {}, digest {}",
        v.version(),
        before,
        v.appliedBy(),
        Instant.ofEpochMilli(v.appliedAtMs()),
        v.source(),
        v.digest().substring(0, Math.min(12, v.digest().length())));
  }

  private void refuse(long version, String why) {
    refused.increment();
    refusedVersion.accumulateAndGet(version, Math::max);
    log.error(
        "live config: refused {}, keeping version {}: {}",
        version > 0 ? "version " + version : "a record",
        holder.current().version(),
        why);
  }
}
