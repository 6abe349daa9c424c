package io.sluice.config;

import java.util.List;

/**
 * {@code cache.semantic:} the semantic cache (see the README's "Semantic cache").
 *
 * @param enabled off by default
 * @param threshold the least cosine similarity of two last user turns for a hit (0 to 1)
 * @param models the model aliases it applies to (none by default: opt in per alias)
 * @param workers embedding threads per instance
 * @param queue lookups waiting for a worker before a request skips the semantic cache
 * @param maxEntries the most entries of the in-memory index per instance (about 2 KB each)
 */
public record SemanticSection(
    Boolean enabled,
    Double threshold,
    List<String> models,
    Integer workers,
    Integer queue,
    Integer maxEntries) {
  /** Chosen on the bundled labelled set by {@code sluice eval semantic} (docs/BENCHMARKS.md). */
  public static final double DEFAULT_THRESHOLD = 0.80;

  public SemanticSection {
    enabled = enabled != null && enabled;
    threshold = threshold != null ? threshold : DEFAULT_THRESHOLD;
    models = models != null ? List.copyOf(models) : List.of();
    workers = workers != null ? workers : 1;
    queue = queue != null ? queue : 256;
    maxEntries = maxEntries != null ? maxEntries : 10_000;
  }

  /** Problems with these settings, each naming its key under {@code prefix}. */
  void validate(String p, java.util.Set<String> aliases) {
    ConfigValidator.require(
        threshold > 0 && threshold <= 1,
        p + "cache.semantic.threshold must be in (0, 1], not " + threshold);
    ConfigValidator.require(
        workers >= 1 && workers <= 64,
        p + "cache.semantic.workers must be 1 to 64, not " + workers);
    ConfigValidator.require(
        queue >= 1 && queue <= 100_000,
        p + "cache.semantic.queue must be 1 to 100000, not " + queue);
    ConfigValidator.require(
        maxEntries >= 1 && maxEntries <= 1_000_000,
        p + "cache.semantic.max_entries must be 1 to 1000000, not " + maxEntries);
    for (String m : models) {
      ConfigValidator.require(
          aliases.contains(m),
          p + "cache.semantic.models names '" + m + "', which is not a model alias under models");
    }
  }
}
