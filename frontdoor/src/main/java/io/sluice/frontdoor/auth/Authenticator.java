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
}
