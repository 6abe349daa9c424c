package io.sluice.frontdoor.wire;

/**
 * An error answered to an HTTP client: its status, a code (a Sluice or provider error code, such as
 * {@code invalid_request}, {@code unknown_model}, {@code rate_limited}), a message for people, the
 * request field it is about (or null), and the seconds a client should wait before retrying (or
 * null). Each {@link WireFormat} renders it in its own shape.
 */
public final class WireError extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final String param;
  private final Long retryAfterSeconds;

  public WireError(int status, String code, String message, String param, Long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** A 400 about {@code param}. */
  public static WireError invalid(String param, String message) {
    return new WireError(400, "invalid_request", message, param, null);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String param() {
    return param;
  }

  public Long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
