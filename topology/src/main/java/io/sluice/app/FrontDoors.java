package io.sluice.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.Durations;
import io.sluice.config.FrontDoorSection;
import io.sluice.config.KafkaProfile;
import io.sluice.config.SluiceConfig;
import io.sluice.frontdoor.FrontDoor;
import io.sluice.frontdoor.FrontDoorSettings;
import io.sluice.frontdoor.ModelList;
import io.sluice.frontdoor.auth.ApiKeyAuthenticator;
import io.sluice.liveconfig.ConfigInForce;
import io.sluice.schema.registry.SchemaRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The gateway's side of the front door: its settings and model list from the config file, and its
 * start-up (inside {@code sluice run} and {@code sluice dev}, or alone in {@code sluice
 * front-door}). The front door module knows no config class; this maps one onto the other, and
 * plugs the config in force in where live configuration changes what the door does.
 */
public final class FrontDoors {
  private FrontDoors() {}

  /** How long past a request's deadline the door still waits for its Response before a 504. */
  static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);

  /** Starts a front door for {@code config}, whose {@code front_door} section must be set. */
  public static FrontDoor start(SluiceConfig config, SchemaRegistry schemas, MeterRegistry meters)
      throws InterruptedException {
    return start(config, schemas, meters, ConfigInForce.startingWith(config));
  }

  /**
   * Starts a front door that follows the config in force (live configuration): {@code GET
   * /v1/models} and the 404 for an unknown model, the PII guards of each tenant and the configured
   * keys of {@code tenants.<id>.api_keys} are read from {@code live} per call, each built once per
   * version. {@code config} is the instance's own file (the front door's own settings).
   */
  public static FrontDoor start(
      SluiceConfig config, SchemaRegistry schemas, MeterRegistry meters, ConfigInForce live)
      throws InterruptedException {
    return FrontDoor.start(
        settings(config),
        WireFormats.openai(),
        WireFormats.anthropic(),
        models(() -> live.current().config()),
        schemas,
        meters,
        live.pii(),
        live::apiKeys);
  }

  /** The front door's settings from {@code config}. */
  public static FrontDoorSettings settings(SluiceConfig config) {
    FrontDoorSection f =
        config.frontDoor() != null ? config.frontDoor() : FrontDoorSection.defaults();
    Properties kafka = new Properties();
    config.kafka().properties().forEach(kafka::setProperty);
    kafka.setProperty("bootstrap.servers", config.kafka().bootstrapServers());
    // one set of properties for the door's producer and consumers: kafka.properties first, then
    // what the profile sets for either (each client ignores the other's keys)
    KafkaProfile profile = KafkaProfile.of(config.kafka().profile());
    profile.applyToProducer(kafka);
    profile.applyToConsumer(kafka);
    return new FrontDoorSettings(
        f.host(),
        f.port(),
        FrontDoorSection.AUTH_NONE.equals(f.auth())
            ? FrontDoorSettings.AuthMode.NONE
            : FrontDoorSettings.AuthMode.KEYS,
        apiKeys(config),
        f.maxInFlight(),
        f.maxBodyBytes(),
        f.instanceId(),
        Durations.parse(f.readTimeout(), "front_door.read_timeout"),
        Durations.parse(f.idleTimeout(), "front_door.idle_timeout"),
        Durations.parse(config.sessions().requestTimeout(), "sessions.request_timeout"),
        DEADLINE_MARGIN,
        f.asyncResults(),
        Durations.parse(f.asyncResultTtl(), "front_door.async_result_ttl"),
        kafka,
        config.topicNames().get("requests"),
        repliesTopic(config),
        config.kafka().maxRecordBytes(),
        config.topicNames().get("keys"));
  }

  /** The reply topic: {@code topics.replies}, by default the prefix and {@code replies}. */
  public static String repliesTopic(SluiceConfig config) {
    return config.topicNames().getOrDefault("replies", config.topics().prefix() + "replies");
  }

  /** SHA-256 hex of every configured key ({@code tenants.<id>.api_keys}), to its tenant. */
  public static Map<String, String> apiKeys(SluiceConfig config) {
    Map<String, String> byHash = new HashMap<>();
    if (config.tenants() != null) {
      config
          .tenants()
          .forEach(
              (tenant, t) ->
                  t.apiKeys().forEach(h -> byHash.put(ApiKeyAuthenticator.normalize(h), tenant)));
    }
    return byHash;
  }

  /**
   * The aliases a tenant may use: every configured alias, or, when tenants are configured, those
   * the tenant's {@code models} allows (none for an unknown tenant).
   */
  public static ModelList models(SluiceConfig config) {
    return models(() -> config);
  }

  /** As {@link #models(SluiceConfig)}, from the config {@code inForce} returns at each call. */
  public static ModelList models(Supplier<SluiceConfig> inForce) {
    return tenant -> {
      SluiceConfig config = inForce.get();
      List<String> all = config.models().keySet().stream().sorted().toList();
      Map<String, SluiceConfig.TenantConfig> tenants =
          config.tenants() == null ? Map.of() : config.tenants();
      if (tenants.isEmpty()) {
        return all;
      }
      SluiceConfig.TenantConfig t = tenants.get(tenant);
      if (t == null) {
        return List.of();
      }
      return t.models().contains("*")
          ? all
          : all.stream().filter(a -> t.models().contains(a)).toList();
    };
  }
}
