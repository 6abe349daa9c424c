package io.sluice.admission;

import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;

/**
 * The {@value AdmissionSupplier#COUNTERS} store's values in a small binary layout: a hot tenant's
 * state is written at every admission and release, and as JSON (the first format, two maps of up to
 * 60 buckets) its writing and reading were most of the stage's cost. Values in that JSON format
 * (they begin with '{') are still read, so a store or changelog written before is restored as it
 * was.
 *
 * <pre>
 * byte    version (1)
 * int     inFlight
 * long    periodStartMs
 * double  spendUsd
 * window  requests, then tokens: int n, then n × (long second, long count), seconds ascending
 * </pre>
 *
 * A window holds at most {@value SlidingWindow#SECONDS} buckets, so a value is at most 1,817 bytes.
 */
final class ScopeStateSerde {
  static final byte VERSION = 1;

  /** The largest value this writes: two full windows. */
  static final int MAX_BYTES = 1 + 4 + 8 + 8 + 2 * (4 + SlidingWindow.SECONDS * 16);

  private ScopeStateSerde() {}

  static Serde<ScopeState> serde() {
    return JsonSerde.binaryReadingJson(
        ScopeState.class, ScopeStateSerde::write, ScopeStateSerde::read);
  }

  static byte[] write(ScopeState s) {
    int n = 1 + 4 + 8 + 8 + 4 + 16 * s.requests.buckets.size() + 4 + 16 * s.tokens.buckets.size();
    ByteBuffer b = ByteBuffer.allocate(n);
    b.put(VERSION).putInt(s.inFlight).putLong(s.periodStartMs).putDouble(s.spendUsd);
    window(b, s.requests);
    window(b, s.tokens);
    return b.array();
  }

  private static void window(ByteBuffer b, SlidingWindow w) {
    b.putInt(w.buckets.size());
    for (Map.Entry<Long, Long> e : w.buckets.entrySet()) {
      b.putLong(e.getKey()).putLong(e.getValue());
    }
  }

  static ScopeState read(byte[] bytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      byte version = b.get();
      if (version != VERSION) {
        throw new SerializationException("unknown admission counters version " + version);
      }
      ScopeState s = new ScopeState();
      s.inFlight = b.getInt();
      s.periodStartMs = b.getLong();
      s.spendUsd = b.getDouble();
      read(b, s.requests);
      read(b, s.tokens);
      return s;
    } catch (RuntimeException e) {
      if (e instanceof SerializationException se) {
        throw se;
      }
      throw new SerializationException("cannot read admission counters", e);
    }
  }

  private static void read(ByteBuffer b, SlidingWindow w) {
    int n = b.getInt();
    if (n < 0 || n > SlidingWindow.SECONDS * 2) {
      throw new SerializationException("admission counters: " + n + " buckets");
    }
    for (int i = 0; i < n; i++) {
      w.buckets.put(b.getLong(), b.getLong());
    }
  }
}
