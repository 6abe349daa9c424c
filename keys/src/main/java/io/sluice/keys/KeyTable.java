package io.sluice.keys;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys of {@code llm.keys} in memory, by id and by hash. One writer (the reader's thread), any
 * number of readers: both maps are concurrent, and a key is replaced whole.
 */
public final class KeyTable implements KeyLookup {
  private final Map<String, VirtualKey> byId = new ConcurrentHashMap<>();
  private final Map<String, VirtualKey> byHash = new ConcurrentHashMap<>();

  /** Puts {@code key} under {@code id}, or removes the id for null (a tombstone). */
  public void apply(String id, VirtualKey key) {
    VirtualKey old = key == null ? byId.remove(id) : byId.put(id, key);
    if (old != null && (key == null || !old.sha256().equals(key.sha256()))) {
      byHash.remove(old.sha256(), old);
    }
    if (key != null) {
      byHash.put(key.sha256(), key);
    }
  }

  @Override
  public Optional<VirtualKey> byId(String id) {
    return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
  }

  @Override
  public Optional<VirtualKey> byPlaintext(String plaintext) {
    if (plaintext == null || plaintext.length() > KeySecrets.MAX_KEY_LENGTH) {
      return Optional.empty();
    }
    String hash = KeySecrets.sha256Hex(plaintext);
    VirtualKey k = byHash.get(hash);
    return k != null && KeySecrets.sameHash(k.sha256(), hash) ? Optional.of(k) : Optional.empty();
  }

  /** Every key, oldest first. */
  public List<VirtualKey> all() {
    return byId.values().stream()
        .sorted(Comparator.comparingLong(VirtualKey::createdAt).thenComparing(VirtualKey::id))
        .toList();
  }

  /** How many keys are active. */
  public long active() {
    return byId.values().stream().filter(VirtualKey::active).count();
  }
}
