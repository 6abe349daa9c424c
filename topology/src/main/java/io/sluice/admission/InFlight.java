package io.sluice.admission;

import java.util.List;

/**
 * A request admitted against at least one limit, in the {@value AdmissionSupplier#IN_FLIGHT} store
 * by request_id, until its release (and a grace period for usage that comes later).
 *
 * @param tenant its tenant id ("" for none)
 * @param keyId its key id, or null
 * @param scopes the scopes it was counted in ({@code t:<tenant>}, {@code k:<key>})
 * @param admittedSecond the second it was admitted in: its token estimate sits in that bucket
 * @param reserved the token estimate reserved at admission (0 once given back without usage)
 * @param charged the tokens its usage has reported so far
 * @param deadlineMs its deadline: a slot still taken well after it is released by the sweep
 * @param doneAtMs when its release came (0: in flight)
 * @param usages the usage records charged so far (0 in entries written before it was counted)
 */
public record InFlight(
    String tenant,
    String keyId,
    List<String> scopes,
    long admittedSecond,
    long reserved,
    long charged,
    long deadlineMs,
    long doneAtMs,
    int usages) {
  boolean done() {
    return doneAtMs > 0;
  }

  /**
   * The part of the reservation not yet replaced by usage. Once released after a usage, nothing;
   * released before any usage came, all of it: the usage and the release are written together but
   * on two topics, so the release can be read first, and the reservation stands until the usage
   * replaces it (or the sweep gives it back, {@link Ledger#USAGE_WAIT_MS} later).
   */
  long outstanding() {
    return done() && usages > 0 ? 0 : Math.max(0, reserved - charged);
  }

  InFlight charge(long tokens) {
    return new InFlight(
        tenant,
        keyId,
        scopes,
        admittedSecond,
        reserved,
        charged + tokens,
        deadlineMs,
        doneAtMs,
        usages + 1);
  }

  InFlight release(long nowMs) {
    return new InFlight(
        tenant,
        keyId,
        scopes,
        admittedSecond,
        reserved,
        charged,
        deadlineMs,
        Math.max(1, nowMs),
        usages);
  }

  /** Released with no usage, and none came in time: nothing reserved any more. */
  InFlight givenBack() {
    return new InFlight(
        tenant, keyId, scopes, admittedSecond, 0, charged, deadlineMs, doneAtMs, usages);
  }
}
