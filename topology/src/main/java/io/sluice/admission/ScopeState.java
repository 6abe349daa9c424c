package io.sluice.admission;

/**
 * The state of one scope (a tenant, {@code t:<id>}, or a key, {@code k:<id>}) in the {@value
 * AdmissionSupplier#COUNTERS} store: the last minute's admitted requests and tokens, the requests
 * in flight, and the spend of the current budget period. Public fields for the JSON serde; only the
 * stream thread of the owning task touches it.
 */
public final class ScopeState {
  public SlidingWindow requests = new SlidingWindow();
  public SlidingWindow tokens = new SlidingWindow();
  public int inFlight;
  public long periodStartMs;
  public double spendUsd;

  /** The spend of the period that holds {@code nowMs}: zero once a new period has begun. */
  double spend(Limits limits, long nowMs) {
    long start = limits.periodStartMs(nowMs);
    if (periodStartMs != start) {
      periodStartMs = start;
      spendUsd = 0;
    }
    return spendUsd;
  }
}
