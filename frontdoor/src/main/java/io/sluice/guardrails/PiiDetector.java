package io.sluice.guardrails;

import java.util.List;

/**
 * Finds one family of personal data in a text. Implementations are immutable and thread-safe, and
 * cost time linear in the text's length.
 */
public interface PiiDetector {
  /** The entity type this detector reports, as named in config ({@code email}, ...). */
  String entity();

  /** Adds every match in {@code text} to {@code out}, in any order; matches may overlap. */
  void find(String text, List<PiiMatch> out);

  /**
   * As {@link #find(String, List)}, knowing the matches of detectors that win over this one ({@code
   * taken}): a costly detector may skip what they cover, since its matches there would be dropped
   * anyway.
   */
  default void find(String text, List<PiiMatch> out, List<PiiMatch> taken) {
    find(text, out);
  }
}
