package io.sluice.tools.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The publishes of one channel not yet confirmed by RabbitMQ, by its publish sequence number.
 *
 * <p>A channel's sequence numbers start at 1 again when it is recovered after a lost connection, so
 * a number names a publish of one incarnation only: before the channel publishes again, {@link
 * #drain} takes everything the lost one left unconfirmed (to publish again), and no confirm of the
 * new incarnation can settle, or overwrite, an entry of the old. A nack takes back only what it
 * names. Thread-safe: the bridge's loop publishes, RabbitMQ's connection thread confirms.
 *
 * @param <P> what was published
 */
final class PublishConfirms<P> {
  private final NavigableMap<Long, P> unconfirmed = new ConcurrentSkipListMap<>();

  /** Records {@code p} as published with sequence number {@code seq}. */
  void published(long seq, P p) {
    unconfirmed.put(seq, p);
  }

  /** A confirm: what it settles ({@code seq} alone, or every number up to it). */
  List<P> confirmed(long seq, boolean multiple) {
    return take(seq, multiple);
  }

  /** A nack: what it names, no longer awaiting a confirm, to be published again. */
  List<P> nacked(long seq, boolean multiple) {
    return take(seq, multiple);
  }

  /** Everything unconfirmed, removed: the channel that published it is gone. */
  List<P> drain() {
    List<P> all = new ArrayList<>();
    for (Map.Entry<Long, P> e = unconfirmed.pollFirstEntry();
        e != null;
        e = unconfirmed.pollFirstEntry()) {
      all.add(e.getValue());
    }
    return all;
  }

  int size() {
    return unconfirmed.size();
  }

  private List<P> take(long seq, boolean multiple) {
    NavigableMap<Long, P> done =
        multiple ? unconfirmed.headMap(seq, true) : unconfirmed.subMap(seq, true, seq, true);
    List<P> out = new ArrayList<>();
    for (Long k : new ArrayList<>(done.keySet())) {
      P p = unconfirmed.remove(k);
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }
}
