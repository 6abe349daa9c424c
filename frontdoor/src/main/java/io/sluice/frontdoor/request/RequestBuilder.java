package io.sluice.frontdoor.request;

import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.events.CacheMode;
import io.sluice.events.Request;
import io.sluice.frontdoor.wire.WireCall;
import io.sluice.frontdoor.wire.WireError;
import io.sluice.schema.AvroTrust;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Completes a parsed body ({@link WireCall}) into a {@code Request} from the call's headers: the
 * request id ({@code Idempotency-Key}, or a new UUID), the session ({@code x-sluice-session-id}
 * with history; without it the request is its own session and carries the whole conversation), the
 * tenant, priority, cache mode, timeout and {@code x-sluice-meta-*} labels. A header with a bad
 * value is a 400 naming it. Stateless and thread-safe.
 */
public final class RequestBuilder {
  /** Ids and label values longer than this are refused: they travel in every record. */
  static final int MAX_ID_CHARS = 256;

  private static final Pattern ID = Pattern.compile("[\\x21-\\x7e]+");

  static {
    // the generated event classes are built here, before any serde has trusted their package
    AvroTrust.install();
  }

  private final Clock clock;

  public RequestBuilder(Clock clock) {
    this.clock = clock;
  }

  /** The {@code Request} of a call from {@code tenant} with these headers and body. */
  public Request build(WireCall call, HttpHeaders headers, String tenant) throws WireError {
    String requestId = id(headers, CallHeaders.IDEMPOTENCY_KEY);
    if (requestId == null) {
      requestId = UUID.randomUUID().toString();
    }
    String session = id(headers, CallHeaders.SESSION_ID);
    Map<String, String> metadata = new LinkedHashMap<>();
    if (call.metadata() != null) {
      metadata.putAll(call.metadata());
    }
    if (call.user() != null) {
      metadata.putIfAbsent("user", call.user());
    }
    metadata.putAll(metaHeaders(headers));
    return Request.newBuilder()
        .setRequestId(requestId)
        .setSessionId(session != null ? session : requestId)
        .setUseHistory(session != null)
        .setTenantId(tenant)
        .setModel(call.model())
        .setMessages(call.messages() != null ? call.messages() : List.of())
        .setParams(call.params())
        .setTools(call.tools() != null ? call.tools() : List.of())
        .setPriority(priority(headers))
        .setCache(cache(headers))
        .setTimeoutMs(timeoutMs(headers))
        .setMetadata(metadata)
        .setStream(call.stream())
        .setCreatedAt(clock.instant())
        .build();
  }

  private static String id(HttpHeaders headers, String name) throws WireError {
    String v = headers.get(name);
    if (v == null) {
      return null;
    }
    v = v.strip();
    if (v.isEmpty() || v.length() > MAX_ID_CHARS || !ID.matcher(v).matches()) {
      throw WireError.invalid(
          name, name + " must be 1-" + MAX_ID_CHARS + " visible ASCII characters");
    }
    return v;
  }

  private static int priority(HttpHeaders headers) throws WireError {
    String v = headers.get(CallHeaders.PRIORITY);
    if (v == null) {
      return 5;
    }
    String s = v.strip();
    if (s.length() != 1 || s.charAt(0) < '0' || s.charAt(0) > '9') {
      throw WireError.invalid(
          CallHeaders.PRIORITY,
          CallHeaders.PRIORITY + " must be a digit 0-9, not '" + clip(v) + "'");
    }
    return s.charAt(0) - '0';
  }

  private static CacheMode cache(HttpHeaders headers) throws WireError {
    String v = headers.get(CallHeaders.CACHE);
    if (v == null) {
      return CacheMode.DEFAULT;
    }
    switch (v.strip().toLowerCase(Locale.ROOT)) {
      case "default":
        return CacheMode.DEFAULT;
      case "bypass":
        return CacheMode.BYPASS;
      case "only":
        return CacheMode.ONLY;
      default:
        throw WireError.invalid(
            CallHeaders.CACHE,
            CallHeaders.CACHE + " must be default, bypass or only, not '" + clip(v) + "'");
    }
  }

  private static Long timeoutMs(HttpHeaders headers) throws WireError {
    String v = headers.get(CallHeaders.TIMEOUT_MS);
    if (v == null) {
      return null;
    }
    try {
      long ms = Long.parseLong(v.strip());
      if (ms > 0) {
        return ms;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw WireError.invalid(
        CallHeaders.TIMEOUT_MS,
        CallHeaders.TIMEOUT_MS
            + " must be a positive number of milliseconds, not '"
            + clip(v)
            + "'");
  }

  private static Map<String, String> metaHeaders(HttpHeaders headers) throws WireError {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : headers) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!name.startsWith(CallHeaders.META_PREFIX)) {
        continue;
      }
      String key = name.substring(CallHeaders.META_PREFIX.length());
      if (key.isEmpty()
          || key.length() > MAX_ID_CHARS
          || h.getValue().length() > 4 * MAX_ID_CHARS) {
        throw WireError.invalid(
            name, name + ": a metadata header needs a key and a value of at most 1024 characters");
      }
      out.put(key, h.getValue());
    }
    return out;
  }

  private static String clip(String v) {
    return v.length() <= 40 ? v : v.substring(0, 40) + "...";
  }
}
