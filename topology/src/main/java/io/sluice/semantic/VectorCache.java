package io.sluice.semantic;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An {@link Embedder} that remembers its last vectors by text, so the answer of a request that was
 * embedded for its lookup is indexed without embedding it again. Thread-safe.
 */
public final class VectorCache implements Embedder {
  private final Embedder embedder;
  private final Map<String, float[]> recent;

  public VectorCache(Embedder embedder, int capacity) {
    this.embedder = embedder;
    this.recent =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > capacity;
          }
        };
  }

  @Override
  public float[] embed(String text) {
    synchronized (recent) {
      float[] v = recent.get(text);
      if (v != null) {
        return v;
      }
    }
    float[] v = embedder.embed(text); // outside the lock: the CPU work
    synchronized (recent) {
      recent.put(text, v);
    }
    return v;
  }

  @Override
  public int dimensions() {
    return embedder.dimensions();
  }
}
