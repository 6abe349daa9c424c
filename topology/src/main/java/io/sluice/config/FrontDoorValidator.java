package io.sluice.config;

import java.util.Map;
import java.util.regex.Pattern;

/** Checks {@code front_door:} and {@code tenants.<id>.api_keys}; messages name the key. */
final class FrontDoorValidator {
  private FrontDoorValidator() {}

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

  static void validate(SluiceConfig c, String p) {
    if (c.tenants() != null) {
      for (Map.Entry<String, SluiceConfig.TenantConfig> t : c.tenants().entrySet()) {
        require(t.getValue() != null, p + "tenants." + t.getKey() + " is empty");
        int i = 0;
        for (String hash : t.getValue().apiKeys()) {
          require(
              hash != null && SHA256_HEX.matcher(hash.strip()).matches(),
              p
                  + "tenants."
                  + t.getKey()
                  + ".api_keys["
                  + i
                  + "] must be the SHA-256 of a key in hex (64 hex digits), not a key itself");
          i++;
        }
      }
    }
    FrontDoorSection f = c.frontDoor();
    if (f == null) {
      return;
    }
    require(f.port() >= 0 && f.port() <= 65535, p + "front_door.port must be 0-65535");
    require(!f.host().isBlank(), p + "front_door.host must not be empty");
    require(
        f.auth().equals(FrontDoorSection.AUTH_KEYS) || f.auth().equals(FrontDoorSection.AUTH_NONE),
        p + "front_door.auth must be keys or none, not '" + f.auth() + "'");
    require(f.maxInFlight() > 0, p + "front_door.max_in_flight must be > 0");
    require(
        f.maxBodyBytes() > 0 && f.maxBodyBytes() <= Integer.MAX_VALUE,
        p + "front_door.max_body_bytes must be between 1 and " + Integer.MAX_VALUE);
    require(f.instanceId() >= 0, p + "front_door.instance_id must be >= 0");
    require(
        !Durations.parse(f.readTimeout(), p + "front_door.read_timeout").isZero(),
        p + "front_door.read_timeout must be > 0");
    require(
        !Durations.parse(f.idleTimeout(), p + "front_door.idle_timeout").isZero(),
        p + "front_door.idle_timeout must be > 0");
    require(f.asyncResults() > 0, p + "front_door.async_results must be > 0");
    Durations.parse(f.asyncResultTtl(), p + "front_door.async_result_ttl");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new ConfigException(message);
    }
  }
}
