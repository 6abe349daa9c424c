package io.sluice.dispatch;

import io.sluice.routing.RoutingSettings;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with full jitter, never shorter than the provider's Retry-After. */
final class Backoff {
  private Backoff() {}

  /**
   * A delay drawn uniformly from {@code [0, min(max, base * 2^(retryNo-1))]}, raised to {@code
   * retryAfter} when the provider sent one.
   *
   * @param retryNo the retry about to be made, from 1
   */
  static long delayMs(RoutingSettings settings, int retryNo, Duration retryAfter) {
    long cap =
        Math.min(
            settings.backoffMax().toMillis(),
            settings.backoffBase().toMillis() << Math.min(20, retryNo - 1));
    long delay = ThreadLocalRandom.current().nextLong(cap + 1);
    return retryAfter == null ? delay : Math.max(delay, retryAfter.toMillis());
  }
}
