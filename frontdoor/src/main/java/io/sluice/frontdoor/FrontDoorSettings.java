package io.sluice.frontdoor;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Everything the front door needs to run, as plain values: the topology side maps its config file
 * onto it, so this module depends on no config class of the gateway.
 *
 * @param host the address to bind ({@code 127.0.0.1} by default)
 * @param port the port to bind; 0 picks a free one
 * @param auth how callers are identified
 * @param apiKeys SHA-256 hex of each accepted API key, to its tenant (for {@link AuthMode#KEYS})
 * @param maxInFlight most calls answered at once; beyond it a call gets 503 with Retry-After
 * @param maxBodyBytes the largest request body read; a larger one gets 413
 * @param instanceId this instance's number; it reads reply partition {@code instanceId %
 *     partitions}
 * @param readTimeout the longest pause while a client sends a request before the door gives up
 * @param idleTimeout how long a connection with no call in progress stays open
 * @param defaultTimeout a request's deadline when the client sets none (the gateway's
 *     sessions.request_timeout)
 * @param deadlineMargin how long past a request's deadline the door waits for its Response before
 *     answering 504
 * @param asyncResults most answers of asynchronous requests kept for {@code GET /v1/requests/{id}}
 * @param asyncResultTtl how long such an answer is kept
 * @param kafka client properties (bootstrap.servers and any kafka.properties)
 * @param requestsTopic where requests go
 * @param repliesTopic the reply topic this instance reads its partition of
 * @param maxRecordBytes the largest record the door produces (the gateway's
 *     kafka.max_record_bytes); a larger request gets 413
 * @param keysTopic the compacted topic of virtual keys ({@code llm.keys}) that {@link
 *     AuthMode#KEYS} also accepts; null for configured keys only
 */
public record FrontDoorSettings(
    String host,
    int port,
    AuthMode auth,
    Map<String, String> apiKeys,
    int maxInFlight,
    long maxBodyBytes,
    int instanceId,
    Duration readTimeout,
    Duration idleTimeout,
    Duration defaultTimeout,
    Duration deadlineMargin,
    int asyncResults,
    Duration asyncResultTtl,
    Properties kafka,
    String requestsTopic,
    String repliesTopic,
    long maxRecordBytes,
    String keysTopic) {

  /** How a caller's tenant is found. */
  public enum AuthMode {
    /** An API key ({@code Authorization: Bearer} or {@code x-api-key}) names the tenant. */
    KEYS,
    /** No key; the tenant is the {@code x-sluice-tenant} header, for trusted networks. */
    NONE
  }

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 4000;
  public static final int DEFAULT_MAX_IN_FLIGHT = 10_000;
  public static final long DEFAULT_MAX_BODY_BYTES = 8L * 1024 * 1024;
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);

  public FrontDoorSettings {
    apiKeys = Map.copyOf(apiKeys);
    Properties copy = new Properties();
    copy.putAll(kafka);
    kafka = copy;
  }
}
