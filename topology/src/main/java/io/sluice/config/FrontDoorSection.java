package io.sluice.config;

/**
 * {@code front_door:} the OpenAI- and Anthropic-compatible HTTP front door. Present: {@code sluice
 * run} starts it; {@code sluice front-door} runs it alone. Every key is in the README.
 */
public record FrontDoorSection(
    String host,
    Integer port,
    String auth,
    Integer maxInFlight,
    Long maxBodyBytes,
    Integer instanceId,
    String readTimeout,
    String idleTimeout,
    Integer asyncResults,
    String asyncResultTtl) {
  public static final String AUTH_KEYS = "keys";
  public static final String AUTH_NONE = "none";

  public FrontDoorSection {
    host = host != null ? host : "127.0.0.1";
    port = port != null ? port : 4000;
    auth = auth != null ? auth : AUTH_KEYS;
    maxInFlight = maxInFlight != null ? maxInFlight : 10_000;
    maxBodyBytes = maxBodyBytes != null ? maxBodyBytes : 8L * 1024 * 1024;
    instanceId = instanceId != null ? instanceId : 0;
    readTimeout = readTimeout != null ? readTimeout : "30s";
    idleTimeout = idleTimeout != null ? idleTimeout : "120s";
    asyncResults = asyncResults != null ? asyncResults : 10_000;
    asyncResultTtl = asyncResultTtl != null ? asyncResultTtl : "10m";
  }

  /** The defaults: 127.0.0.1:4000, keys required. */
  public static FrontDoorSection defaults() {
    return new FrontDoorSection(null, null, null, null, null, null, null, null, null, null);
  }
}
