package io.sluice.frontdoor.auth;

import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.frontdoor.wire.WireError;

/**
 * Finds the tenant of an HTTP call from its headers. Thread-safe; called on event loops, so it
 * never does I/O.
 */
public interface Authenticator {
  /**
   * The caller's tenant.
   *
   * @throws WireError a 401 when the call carries no valid credentials
   */
  String tenant(HttpHeaders headers) throws WireError;

  /**
   * The caller: its tenant and, when it used a virtual key, the key's id and allowed models.
   *
   * @throws WireError a 401 when the call carries no valid credentials
   */
  default Caller caller(HttpHeaders headers) throws WireError {
    return Caller.of(tenant(headers));
  }
}
