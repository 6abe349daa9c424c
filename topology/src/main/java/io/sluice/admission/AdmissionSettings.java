package io.sluice.admission;

import io.sluice.config.SluiceConfig;
import java.time.Duration;

/**
 * How the admission stage is built: whether it is in the topology at all, where limits come from,
 * the completion tokens reserved for a request without {@code max_tokens}, the request deadline
 * that bounds how long a parallel slot can stay taken, the partitions of its topics (those of the
 * usage topic, so that a tenant's requests, usage and releases meet in one task) and the topic of
 * the session processor's releases.
 */
public record AdmissionSettings(
    boolean enabled,
    TenantLimits tenants,
    KeyLimits keys,
    int defaultMaxTokens,
    Duration defaultTimeout,
    int partitions,
    String releasesTopic) {
  /** No admission stage: no hop, no limits. */
  public static final AdmissionSettings OFF =
      new AdmissionSettings(
          false,
          id -> Limits.NONE,
          KeyLimits.NONE,
          1024,
          Duration.ofMinutes(2),
          1,
          releasesTopic("sluice"));

  /**
   * The releases topic of an application: {@code <application.id>-admission-releases-repartition}.
   * Gateway-owned like a repartition topic, and named like one so that {@code sluice replay} (the
   * streams reset tool) deletes it with the other internal topics; created at start-up.
   */
  public static String releasesTopic(String applicationId) {
    return applicationId + "-admission-releases-repartition";
  }

  /** The settings of a config; {@code partitions} as found on the usage topic. */
  public static AdmissionSettings from(SluiceConfig config, KeyLimits keys, int partitions) {
    return new AdmissionSettings(
        config.admissionEnabled(),
        TenantLimits.of(config.tenants()),
        keys,
        config.admission().defaultMaxTokens(),
        io.sluice.config.Durations.parse(
            config.sessions().requestTimeout(), "sessions.request_timeout"),
        partitions,
        releasesTopic(config.kafka().applicationId()));
  }

  /**
   * As this, with the tenants' limits from {@code tenants}: live configuration's, which follow the
   * version in force. Whether the stage is in the topology ({@link #enabled}) stays as built.
   */
  public AdmissionSettings withTenants(TenantLimits tenants) {
    return new AdmissionSettings(
        enabled, tenants, keys, defaultMaxTokens, defaultTimeout, partitions, releasesTopic);
  }

  /** As this, with the keys' limits from {@code keys} (the keys store). */
  public AdmissionSettings withKeys(KeyLimits keys) {
    return new AdmissionSettings(
        enabled, tenants, keys, defaultMaxTokens, defaultTimeout, partitions, releasesTopic);
  }
}
