package io.sluice.keys;

import java.util.Optional;

/**
 * Finds virtual keys in memory. Thread-safe and free of I/O: event loops and stream threads call
 * it. The admission stage finds a key's limits with {@link #byId}.
 */
public interface KeyLookup {
  /** The key with this id, active or revoked. */
  Optional<VirtualKey> byId(String id);

  /**
   * The key whose SHA-256 is that of {@code plaintext}, active or revoked. The final comparison is
   * of the full hashes in constant time.
   */
  Optional<VirtualKey> byPlaintext(String plaintext);

  /** No keys at all. */
  KeyLookup NONE =
      new KeyLookup() {
        @Override
        public Optional<VirtualKey> byId(String id) {
          return Optional.empty();
        }

        @Override
        public Optional<VirtualKey> byPlaintext(String plaintext) {
          return Optional.empty();
        }
      };
}
