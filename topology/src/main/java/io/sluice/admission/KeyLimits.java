package io.sluice.admission;

import java.util.Optional;

/**
 * The limits of a virtual key, by its id ({@code Request.key_id}): the keys store plugs in here.
 * Both a key's limits and its tenant's apply. Called on the stream thread for each request with a
 * key id: it must answer from memory (a global store or a map), never over the network.
 */
@FunctionalInterface
public interface KeyLimits {
  /** No key has limits. */
  KeyLimits NONE = keyId -> Optional.empty();

  /** The limits of the key {@code keyId}; empty when it has none (or is unknown). */
  Optional<Limits> forKey(String keyId);
}
