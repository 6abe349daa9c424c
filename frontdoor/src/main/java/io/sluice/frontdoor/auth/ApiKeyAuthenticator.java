package io.sluice.frontdoor.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.frontdoor.wire.WireError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code front_door.auth: keys}: the key in {@code Authorization: Bearer KEY} or {@code x-api-key:
 * KEY} is hashed (SHA-256) and looked up among the configured hashes ({@code
 * tenants.<id>.api_keys}). Only hashes are held; a key is never logged or echoed. The hashes are
 * fixed, or follow the config in force ({@link #following}): a key added or removed by live
 * configuration counts from the next call.
 */
public final class ApiKeyAuthenticator implements Authenticator {
  private final Supplier<Map<String, String>> tenantByHash;

  /** {@code tenantByHash}: lower-case SHA-256 hex of each key, to its tenant. */
  public ApiKeyAuthenticator(Map<String, String> tenantByHash) {
    Map<String, String> fixed = Map.copyOf(tenantByHash);
    this.tenantByHash = () -> fixed;
  }

  private ApiKeyAuthenticator(Supplier<Map<String, String>> tenantByHash) {
    this.tenantByHash = tenantByHash;
  }

  /**
   * An authenticator that looks keys up in the map {@code current} returns at each call (the hashes
   * of the config in force, as {@link #normalize} gives them); it must answer from memory.
   */
  public static ApiKeyAuthenticator following(Supplier<Map<String, String>> current) {
    return new ApiKeyAuthenticator(current);
  }

  @Override
  public String tenant(HttpHeaders headers) throws WireError {
    String tenant = configured(presented(headers));
    if (tenant == null) {
      throw unauthorized("unknown API key");
    }
    return tenant;
  }

  /** The tenant of a configured key ({@code tenants.<id>.api_keys}), or null. */
  String configured(String key) {
    return tenantByHash.get().get(sha256Hex(key));
  }

  /**
   * The key the call presents ({@code x-api-key}, else {@code Authorization: Bearer}).
   *
   * @throws WireError a 401 when it presents none
   */
  static String presented(HttpHeaders headers) throws WireError {
    String key = headers.get("x-api-key");
    String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (key == null && authorization != null) {
      String a = authorization.strip();
      if (a.regionMatches(true, 0, "Bearer ", 0, 7)) {
        key = a.substring(7).strip();
      }
    }
    if (key == null || key.isEmpty()) {
      throw unauthorized("missing API key: send Authorization: Bearer KEY or x-api-key: KEY");
    }
    return key;
  }

  /** Lower-case SHA-256 hex of {@code key}'s UTF-8 bytes: what {@code api_keys} holds. */
  public static String sha256Hex(String key) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(d.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /** Normalizes a configured hash (hex digits in either case) to the form looked up. */
  public static String normalize(String hash) {
    return hash.strip().toLowerCase(Locale.ROOT);
  }

  static WireError unauthorized(String message) {
    return new WireError(401, "invalid_api_key", message, null, null);
  }
}
