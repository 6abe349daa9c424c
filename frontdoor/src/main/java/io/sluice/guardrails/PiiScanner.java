package io.sluice.guardrails;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Runs a set of detectors over a text and resolves overlaps deterministically: a detector listed
 * earlier wins over one listed later (checksummed and structured types come first, see {@link
 * PiiPolicy#detectors}); between matches of one detector the earlier start, then the longer one,
 * wins. What is left does not overlap and is ordered by position. Immutable and thread-safe.
 */
final class PiiScanner {
  private final List<PiiDetector> detectors;

  PiiScanner(List<PiiDetector> detectors) {
    this.detectors = List.copyOf(detectors);
  }

  List<PiiDetector> detectors() {
    return detectors;
  }

  /** The non-overlapping matches in {@code text}, by position; empty for null or empty text. */
  List<PiiMatch> scan(String text) {
    if (text == null || text.isEmpty() || detectors.isEmpty()) {
      return List.of();
    }
    List<PiiMatch> kept = new ArrayList<>();
    List<PiiMatch> found = new ArrayList<>();
    for (PiiDetector d : detectors) {
      found.clear();
      d.find(text, found, kept);
      found.sort(
          Comparator.comparingInt(PiiMatch::start)
              .thenComparing(Comparator.comparingInt(PiiMatch::end).reversed()));
      for (PiiMatch m : found) {
        if (!overlapsAny(kept, m)) {
          kept.add(m);
        }
      }
    }
    kept.sort(Comparator.comparingInt(PiiMatch::start));
    return kept;
  }

  private static boolean overlapsAny(List<PiiMatch> kept, PiiMatch m) {
    for (PiiMatch k : kept) {
      if (k.overlaps(m)) {
        return true;
      }
    }
    return false;
  }
}
