package io.sluice.semantic;

import io.sluice.config.SemanticSection;
import java.time.Duration;

/**
 * The semantic cache's settings, from {@code cache.semantic} (and {@code cache.ttl}).
 *
 * @param ttl how long an index entry may answer: the cache's ttl
 */
public record SemanticSettings(
    double threshold, int workers, int queue, int maxEntries, Duration ttl, Guards guards) {
  public static SemanticSettings from(SemanticSection s, Duration ttl) {
    return new SemanticSettings(
        s.threshold(), s.workers(), s.queue(), s.maxEntries(), ttl, Guards.all());
  }
}
