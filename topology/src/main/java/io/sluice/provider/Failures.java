package io.sluice.provider;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import okhttp3.Headers;

/** Classification shared by the adapters: HTTP statuses, retry hints and I/O errors. */
public final class Failures {
  private Failures() {}

  /** The classification of a status when the body says nothing more specific. */
  public static ProviderFailure ofStatus(
      String provider, int status, Headers headers, String detail) {
    String message =
        provider
            + " answered HTTP "
            + status
            + (detail == null || detail.isBlank() ? "" : ": " + detail);
    Duration retryAfter = retryAfter(headers);
    return switch (status) {
      case 429 ->
          new ProviderFailure(
              ProviderFailure.Kind.RETRIABLE, "rate_limited", message, status, retryAfter);
      case 408, 500, 502, 503, 504, 529 ->
          new ProviderFailure(
              ProviderFailure.Kind.RETRIABLE, "provider_error", message, status, retryAfter);
      case 401, 403 ->
          new ProviderFailure(ProviderFailure.Kind.TERMINAL, "auth_failed", message, status, null);
      case 404 ->
          new ProviderFailure(ProviderFailure.Kind.TERMINAL, "not_found", message, status, null);
      case 400, 422 ->
          new ProviderFailure(
              ProviderFailure.Kind.TERMINAL, "invalid_request", message, status, null);
      default ->
          status >= 500
              ? new ProviderFailure(
                  ProviderFailure.Kind.RETRIABLE, "provider_error", message, status, retryAfter)
              : new ProviderFailure(
                  ProviderFailure.Kind.TERMINAL, "provider_error", message, status, null);
    };
  }

  /** The classification of an I/O error: a timeout or an unreachable provider, both retriable. */
  public static ProviderFailure ofIo(String provider, IOException e) {
    boolean timeout =
        e instanceof SocketTimeoutException
            || (e instanceof InterruptedIOException
                && String.valueOf(e.getMessage()).contains("timeout"))
            || "Canceled".equals(e.getMessage()) && e.getCause() instanceof InterruptedIOException;
    if (timeout) {
      return new ProviderFailure(
          ProviderFailure.Kind.RETRIABLE,
          "timeout",
          provider + " did not answer in time",
          null,
          null);
    }
    String why =
        e instanceof UnknownHostException
            ? "unknown host"
            : e instanceof ConnectException
                ? "connection refused"
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    return new ProviderFailure(
        ProviderFailure.Kind.RETRIABLE,
        "provider_unavailable",
        provider + " unreachable (" + why + ")",
        null,
        null);
  }

  /**
   * {@code retry-after-ms}, else {@code Retry-After} in seconds or as an HTTP date; null if absent.
   */
  public static Duration retryAfter(Headers headers) {
    if (headers == null) {
      return null;
    }
    String ms = headers.get("retry-after-ms");
    if (ms != null) {
      try {
        return Duration.ofMillis((long) Double.parseDouble(ms.trim()));
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    String ra = headers.get("Retry-After");
    if (ra == null) {
      return null;
    }
    try {
      return Duration.ofMillis((long) (Double.parseDouble(ra.trim()) * 1000));
    } catch (NumberFormatException e) {
      try {
        Duration d =
            Duration.between(
                ZonedDateTime.now(),
                ZonedDateTime.parse(ra.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException ignored) {
        return null;
      }
    }
  }
}
