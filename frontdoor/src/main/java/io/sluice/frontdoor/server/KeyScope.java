package io.sluice.frontdoor.server;

import io.sluice.events.Request;
import io.sluice.frontdoor.auth.Caller;
import io.sluice.frontdoor.wire.WireError;

/**
 * What a virtual key adds to a request: its id as {@code key_id}, and its model list, checked here
 * (403 {@code model_not_allowed}) before anything is produced. The gateway checks the same again
 * against the key it knows by id.
 */
final class KeyScope {
  private KeyScope() {}

  static void apply(Caller caller, Request r) throws WireError {
    if (caller.keyId() == null) {
      return;
    }
    if (!caller.allows(r.getModel())) {
      throw new WireError(
          403,
          "model_not_allowed",
          (r.getModel().length() <= 128 ? "model '" + r.getModel() + "'" : "the model")
              + " is not allowed for this key",
          "model",
          null);
    }
    r.setKeyId(caller.keyId());
  }
}
