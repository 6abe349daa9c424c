package io.sluice.semantic;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Scores a {@link LabelledPairs} set: the similarity of every pair, then recall (paraphrases that
 * would hit) and false-hit rate (near misses that would hit) per threshold, with no guard, each
 * guard alone and all guards; what each guard buys at the chosen threshold; the embedding time per
 * prompt; and the exact index's search time at several sizes.
 */
public final class SemanticEval {
  /** The highest false-hit rate the default threshold may have on the set. */
  public static final double MAX_FALSE_HITS = 0.01;

  private final Embedder embedder;
  private final PrintStream out;

  public SemanticEval(Embedder embedder, PrintStream out) {
    this.embedder = embedder;
    this.out = out;
  }

  /** One scored pair. */
  record Scored(LabelledPairs.Pair pair, double similarity, PromptFeatures a, PromptFeatures b) {}

  /** Recall and false-hit rate of one configuration at one threshold. */
  record Rate(double recall, double falseHits, int hits, int falseHitCount) {}

  /** Runs the whole evaluation; returns the chosen threshold. */
  public double run(LabelledPairs set, double[] thresholds, int[] indexSizes) {
    return run(set, thresholds, indexSizes, Double.NaN);
  }

  /** As above; {@code show}: also list the false hits and refused paraphrases at that threshold. */
  public double run(LabelledPairs set, double[] thresholds, int[] indexSizes, double show) {
    List<Scored> scored = score(set);
    long same = scored.stream().filter(s -> s.pair().same()).count();
    out.printf(
        Locale.ROOT,
        "pairs: %d (%d paraphrases, %d near misses), languages: %s%n%n",
        scored.size(),
        same,
        scored.size() - same,
        new TreeSet<>(set.pairs().stream().map(LabelledPairs.Pair::lang).toList()));
    Map<String, Guards> configs = new LinkedHashMap<>();
    configs.put("none", Guards.none());
    for (Guards.Guard g : Guards.Guard.values()) {
      configs.put(g.label(), new Guards(EnumSet.of(g)));
    }
    configs.put("all", Guards.all());
    double chosen = choose(scored, Guards.all(), thresholds);
    out.println("recall / false-hit rate per threshold and guard (* = the chosen default)");
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "| %-9s |", "threshold"));
    for (String name : configs.keySet()) {
      head.append(String.format(Locale.ROOT, " %-15s |", name));
    }
    out.println(head);
    out.println(head.toString().replaceAll("[^|]", "-"));
    for (double t : thresholds) {
      StringBuilder row =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "| %-9s |",
                  String.format(Locale.ROOT, "%.2f%s", t, t == chosen ? " *" : "")));
      for (Guards g : configs.values()) {
        Rate r = rate(scored, g, t);
        row.append(
            String.format(
                Locale.ROOT, " %5.1f%% / %5.1f%% |", 100 * r.recall(), 100 * r.falseHits()));
      }
      out.println(row);
    }
    out.printf(
        Locale.ROOT,
        "%ndefault threshold: %.2f (false hits <= %.0f%% with all guards)%n",
        chosen,
        100 * MAX_FALSE_HITS);
    guardValue(scored, chosen);
    perLanguage(scored, chosen);
    falseHits(scored, Double.isNaN(show) ? chosen : show);
    embeddingTimes(set);
    indexTimes(indexSizes);
    return chosen;
  }

  List<Scored> score(LabelledPairs set) {
    List<Scored> scored = new ArrayList<>();
    for (LabelledPairs.Pair p : set.pairs()) {
      double sim = Vectors.dot(embedder.embed(p.a()), embedder.embed(p.b()));
      scored.add(new Scored(p, sim, PromptFeatures.of(p.a()), PromptFeatures.of(p.b())));
    }
    return scored;
  }

  static Rate rate(List<Scored> scored, Guards guards, double threshold) {
    int same = 0;
    int hits = 0;
    int different = 0;
    int falseHits = 0;
    for (Scored s : scored) {
      boolean hit = s.similarity() >= threshold && guards.agree(s.a(), s.b());
      if (s.pair().same()) {
        same++;
        hits += hit ? 1 : 0;
      } else {
        different++;
        falseHits += hit ? 1 : 0;
      }
    }
    return new Rate(
        same == 0 ? 0 : (double) hits / same,
        different == 0 ? 0 : (double) falseHits / different,
        hits,
        falseHits);
  }

  /** The lowest threshold (the most recall) whose false-hit rate is within the bound. */
  static double choose(List<Scored> scored, Guards guards, double[] thresholds) {
    double[] sorted = thresholds.clone();
    Arrays.sort(sorted);
    for (double t : sorted) {
      if (rate(scored, guards, t).falseHits() <= MAX_FALSE_HITS) {
        return t;
      }
    }
    return sorted[sorted.length - 1];
  }

  private void guardValue(List<Scored> scored, double t) {
    out.printf(Locale.ROOT, "%nwhat each guard buys at %.2f (all guards but one)%n", t);
    out.println(
        "| without    | recall | false hits | false hits it prevents | paraphrases it refuses |");
    out.println(
        "|------------|--------|------------|------------------------|------------------------|");
    Rate all = rate(scored, Guards.all(), t);
    for (Guards.Guard g : Guards.Guard.values()) {
      Set<Guards.Guard> rest = EnumSet.allOf(Guards.Guard.class);
      rest.remove(g);
      Rate r = rate(scored, new Guards(rest), t);
      out.printf(
          Locale.ROOT,
          "| %-10s | %5.1f%% | %9.1f%% | %22d | %22d |%n",
          g.label(),
          100 * r.recall(),
          100 * r.falseHits(),
          r.falseHitCount() - all.falseHitCount(),
          r.hits() - all.hits());
    }
  }

  private void perLanguage(List<Scored> scored, double t) {
    out.printf(Locale.ROOT, "%nper language at %.2f, all guards%n", t);
    Map<String, List<Scored>> byLang = new LinkedHashMap<>();
    for (Scored s : scored) {
      byLang.computeIfAbsent(s.pair().lang(), k -> new ArrayList<>()).add(s);
    }
    for (Map.Entry<String, List<Scored>> e : byLang.entrySet()) {
      Rate r = rate(e.getValue(), Guards.all(), t);
      out.printf(
          Locale.ROOT,
          "  %-3s pairs %3d  recall %5.1f%%  false hits %4.1f%%%n",
          e.getKey(),
          e.getValue().size(),
          100 * r.recall(),
          100 * r.falseHits());
    }
  }

  /** Prints the near misses that hit at {@code t} and the paraphrases a guard refused. */
  private void falseHits(List<Scored> scored, double t) {
    out.printf(Locale.ROOT, "%nat %.2f with all guards:%n", t);
    for (Scored s : scored) {
      boolean agree = Guards.all().agree(s.a(), s.b());
      String line = s.pair().a() + " | " + s.pair().b();
      if (!s.pair().same() && s.similarity() >= t && agree) {
        out.printf(
            Locale.ROOT,
            "  false hit %.3f [%s/%s] %s%n",
            s.similarity(),
            s.pair().lang(),
            s.pair().kind(),
            line);
      }
      if (s.pair().same() && s.similarity() >= t && !agree) {
        List<String> failed = new ArrayList<>();
        for (Guards.Guard g : Guards.Guard.values()) {
          if (!Guards.passes(g, s.a(), s.b())) {
            failed.add(g.label());
          }
        }
        out.printf(
            Locale.ROOT,
            "  refused   %.3f [%s] by %s: %s%n",
            s.similarity(),
            s.pair().lang(),
            failed,
            line);
      }
    }
  }

  private void embeddingTimes(LabelledPairs set) {
    List<String> prompts = new ArrayList<>();
    for (LabelledPairs.Pair p : set.pairs()) {
      prompts.add(p.a());
      prompts.add(p.b());
    }
    long[] ns = new long[prompts.size()];
    for (int i = 0; i < prompts.size(); i++) {
      long start = System.nanoTime();
      embedder.embed(prompts.get(i));
      ns[i] = System.nanoTime() - start;
    }
    Arrays.sort(ns);
    out.printf(
        Locale.ROOT,
        "%nembedding time per prompt (%d prompts, one thread, after one warm pass): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        ns.length,
        ns[ns.length / 2] / 1e6,
        ns[(int) Math.min(ns.length - 1, Math.ceil(ns.length * 0.99) - 1)] / 1e6,
        ns[ns.length - 1] / 1e6);
  }

  private void indexTimes(int[] sizes) {
    Random random = new Random(42);
    int dims = embedder.dimensions();
    for (int size : sizes) {
      SemanticIndex index = new SemanticIndex(size, Long.MAX_VALUE);
      for (int i = 0; i < size; i++) {
        index.add(
            new SemanticIndex.Entry(
                "k" + i, "scope", "r" + i, randomUnit(random, dims), PromptFeatures.of("x"), 0));
      }
      float[] q = randomUnit(random, dims);
      int rounds = Math.max(5, 2_000_000 / Math.max(1, size));
      long[] ns = new long[rounds];
      for (int i = 0; i < rounds; i++) {
        long start = System.nanoTime();
        index.candidates("scope", q, 2f, 1);
        ns[i] = System.nanoTime() - start;
      }
      Arrays.sort(ns);
      out.printf(
          Locale.ROOT,
          "exact index, %,d entries in one scope: search p50 %.3f ms, p99 %.3f ms%n",
          size,
          ns[rounds / 2] / 1e6,
          ns[(int) Math.min(rounds - 1, Math.ceil(rounds * 0.99) - 1)] / 1e6);
    }
  }

  private static float[] randomUnit(Random r, int dims) {
    float[] v = new float[dims];
    for (int i = 0; i < dims; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return Vectors.normalized(v);
  }
}
