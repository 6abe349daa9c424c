package io.sluice.semantic;

import java.util.Locale;

/** A deterministic bag-of-words embedder for tests: the same words, the same vector. */
final class FakeEmbedder implements Embedder {
  volatile Thread lastThread;

  @Override
  public float[] embed(String text) {
    lastThread = Thread.currentThread();
    float[] v = new float[64];
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        v[Math.floorMod(w.hashCode(), 64)] += 1;
      }
    }
    return Vectors.normalized(v);
  }

  @Override
  public int dimensions() {
    return 64;
  }
}
