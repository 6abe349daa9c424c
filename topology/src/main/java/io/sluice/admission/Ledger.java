package io.sluice.admission;

import io.sluice.events.Request;
import io.sluice.events.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The admission decisions and their bookkeeping, on the task's three changelogged stores: the
 * counters per scope, the requests in flight, and their expiry times. Only the stream thread of the
 * task that owns the tenants touches it; the stores make every count survive a crash, and under
 * exactly-once a decision and the counts it changed commit together.
 *
 * <ul>
 *   <li>A request with no limit on its tenant or key passes without touching a store.
 *   <li>Otherwise every scope (tenant, key) is checked, in this order: budget spent ({@code
 *       budget_exceeded}), {@code max_parallel}, {@code rpm}, {@code tpm} ({@code rate_limited});
 *       only a request within all of them is counted, in all of them.
 *   <li>Usage replaces the estimate with actual tokens, in the bucket the estimate sits in (while
 *       it is in the window; after, in the current one), and adds its cost to the period's spend.
 *   <li>A release frees the parallel slot and what is left of the reservation. A release read
 *       before any usage of its request (the two are written together, on two topics) frees the
 *       slot only: the reservation stands until the usage replaces it, or for {@link
 *       #USAGE_WAIT_MS} when none comes (a request answered without a provider call).
 * </ul>
 */
final class Ledger {
  /** How long a released request is remembered, for usage that comes after its release. */
  static final long GRACE_MS = 60_000;

  /**
   * How long a reservation stands after a release that came before any usage of its request. The
   * usage of a call is written in the same transaction as the release, so it is normally read
   * within milliseconds; a request answered with no provider call (its deadline passed while
   * queued) has none, and gets its reservation back after this.
   */
  static final long USAGE_WAIT_MS = 10_000;

  /** The retry hint of {@code max_parallel}: when a slot frees is not known in advance. */
  static final long PARALLEL_RETRY_MS = 1_000;

  private final KeyValueStore<String, ScopeState> counters;
  private final KeyValueStore<String, InFlight> inFlight;
  private final KeyValueStore<String, String> expiry;
  private final AdmissionSettings settings;
  private final AdmissionMetrics metrics;
  private final Set<String> tenantsSeen;

  /**
   * The scopes' states as last written, so a hot tenant's state is not read back from the store
   * (and decoded) at every request. Only this task's processor writes the store, and a new
   * processor (a task moved, revived or restored) starts with an empty map, so it never holds other
   * than the store's value.
   */
  private final Map<String, ScopeState> live = new HashMap<>();

  Ledger(
      KeyValueStore<String, ScopeState> counters,
      KeyValueStore<String, InFlight> inFlight,
      KeyValueStore<String, String> expiry,
      AdmissionSettings settings,
      AdmissionMetrics metrics,
      Set<String> tenantsSeen) {
    this.counters = counters;
    this.inFlight = inFlight;
    this.expiry = expiry;
    this.settings = settings;
    this.metrics = metrics;
    this.tenantsSeen = tenantsSeen;
  }

  private record Scope(String key, String kind, Limits limits) {}

  /** Admits {@code r} (counting it) or says why not. */
  Optional<Refusal> admit(Request r, long nowMs) {
    String tenant = nz(r.getTenantId());
    List<Scope> scopes = new ArrayList<>(2);
    Limits tl = settings.tenants().forTenant(tenant);
    if (!tl.none()) {
      scopes.add(new Scope("t:" + tenant, "tenant", tl));
    }
    if (r.getKeyId() != null) {
      Limits kl = settings.keys().forKey(r.getKeyId()).orElse(Limits.NONE);
      if (!kl.none()) {
        scopes.add(new Scope("k:" + r.getKeyId(), "key", kl));
      }
    }
    if (scopes.isEmpty() || inFlight.get(r.getRequestId()) != null) {
      // no limit; or a repeat of a request counted already, answered from the first
      metrics.admitted(tenant);
      return Optional.empty();
    }
    long estimate = TokenEstimate.of(r, settings.defaultMaxTokens());
    List<ScopeState> states = new ArrayList<>(scopes.size());
    for (Scope s : scopes) {
      ScopeState st = state(s.key());
      Refusal no = check(s, st, estimate, nowMs);
      if (no != null) {
        metrics.refused(tenant, no.limit());
        return Optional.of(no);
      }
      states.add(st);
    }
    long second = SlidingWindow.second(nowMs);
    List<String> keys = new ArrayList<>(scopes.size());
    for (int i = 0; i < scopes.size(); i++) {
      ScopeState st = states.get(i);
      st.requests.add(second, 1);
      st.tokens.add(second, estimate);
      st.inFlight++;
      put(scopes.get(i).key(), st, nowMs);
      keys.add(scopes.get(i).key());
    }
    long createdAt = r.getCreatedAt() != null ? r.getCreatedAt().toEpochMilli() : nowMs;
    long timeout =
        r.getTimeoutMs() != null ? r.getTimeoutMs() : settings.defaultTimeout().toMillis();
    long deadline = Math.max(nowMs, createdAt + timeout);
    inFlight.put(
        r.getRequestId(),
        new InFlight(tenant, r.getKeyId(), keys, second, estimate, 0, deadline, 0, 0));
    expiry.put(expiryKey(deadline + GRACE_MS, r.getRequestId()), r.getRequestId());
    metrics.admitted(tenant);
    return Optional.empty();
  }

  private static Refusal check(Scope s, ScopeState st, long estimate, long nowMs) {
    Limits l = s.limits();
    String whose = "the " + s.kind() + "'s";
    if (l.budgetUsd() != null && st.spend(l, nowMs) >= l.budgetUsd()) {
      return new Refusal(
          "budget",
          s.kind(),
          String.format(
              Locale.ROOT,
              "%s budget of %s USD per %s is spent (%.6f USD); it renews at the next %s (UTC)",
              whose,
              l.budgetUsd(),
              l.budgetPeriod(),
              st.spendUsd,
              l.budgetPeriod()),
          Math.max(1, l.periodEndMs(nowMs) - nowMs));
    }
    if (l.maxParallel() != null && st.inFlight >= l.maxParallel()) {
      return new Refusal(
          "max_parallel",
          s.kind(),
          whose + " max_parallel of " + l.maxParallel() + " requests in flight is reached",
          PARALLEL_RETRY_MS);
    }
    if (l.rpm() != null && !st.requests.fits(nowMs, l.rpm(), 1)) {
      return new Refusal(
          "rpm",
          s.kind(),
          whose + " rpm of " + l.rpm() + " requests per minute is reached",
          st.requests.retryAfterMs(nowMs, l.rpm(), 1));
    }
    if (l.tpm() != null && !st.tokens.fits(nowMs, l.tpm(), estimate)) {
      long wait = st.tokens.retryAfterMs(nowMs, l.tpm(), estimate);
      return new Refusal(
          "tpm",
          s.kind(),
          wait < 0
              ? "the request's token estimate ("
                  + estimate
                  + ": prompt plus max_tokens) is over "
                  + whose
                  + " tpm of "
                  + l.tpm()
                  + " by itself; lower max_tokens"
              : whose + " tpm of " + l.tpm() + " tokens per minute is reached",
          wait < 0 ? null : wait);
    }
    return null;
  }

  /** Charges one provider call's actual tokens and cost. */
  void charge(Usage u, long nowMs) {
    InFlight e = u.getRequestId() == null ? null : inFlight.get(u.getRequestId());
    String tenant = nz(u.getTenantId());
    List<String> scopes =
        e != null
            ? e.scopes()
            : settings.tenants().forTenant(tenant).none() ? List.of() : List.of("t:" + tenant);
    if (scopes.isEmpty()) {
      return;
    }
    long tokens = (long) u.getPromptTokens() + u.getCompletionTokens();
    long delta = tokens;
    long bucket = SlidingWindow.second(nowMs);
    if (e != null && SlidingWindow.inWindow(e.admittedSecond(), nowMs)) {
      // the part of the reservation this usage uses up is already counted
      delta = tokens - (e.outstanding() - e.charge(tokens).outstanding());
      bucket = e.admittedSecond();
    }
    for (String key : scopes) {
      ScopeState st = state(key);
      st.spend(limitsOf(key), nowMs); // starts a new period if one began
      st.spendUsd += u.getCostUsd();
      if (delta != 0) {
        st.tokens.add(bucket, delta);
      }
      put(key, st, nowMs);
    }
    if (e != null) {
      inFlight.put(u.getRequestId(), e.charge(tokens));
    }
  }

  /**
   * The request was answered: frees its parallel slot and the rest of its reservation; when no
   * usage of it has come yet, the reservation stays until one does (or {@link #USAGE_WAIT_MS}).
   */
  void release(String requestId, long nowMs) {
    InFlight e = inFlight.get(requestId);
    if (e == null || e.done()) {
      return;
    }
    boolean awaitUsage = e.usages() == 0 && e.outstanding() > 0;
    long left = awaitUsage ? 0 : e.outstanding();
    for (String key : e.scopes()) {
      ScopeState st = existing(key);
      if (st == null) {
        continue;
      }
      st.inFlight = Math.max(0, st.inFlight - 1);
      if (left > 0 && SlidingWindow.inWindow(e.admittedSecond(), nowMs)) {
        st.tokens.add(e.admittedSecond(), -left);
      }
      put(key, st, nowMs);
    }
    inFlight.put(requestId, e.release(nowMs));
    // one check, at the wait's end when a usage may still come, else at the grace's end; the
    // sweep schedules the next one
    expiry.put(expiryKey(nowMs + (awaitUsage ? USAGE_WAIT_MS : GRACE_MS), requestId), requestId);
  }

  /** A released request's reservation that no usage replaced in time: given back. */
  private void giveBack(String requestId, InFlight e, long nowMs) {
    long left = e.outstanding();
    if (SlidingWindow.inWindow(e.admittedSecond(), nowMs)) {
      for (String key : e.scopes()) {
        ScopeState st = existing(key);
        if (st != null) {
          st.tokens.add(e.admittedSecond(), -left);
          put(key, st, nowMs);
        }
      }
    }
    inFlight.put(requestId, e.givenBack());
  }

  /**
   * Forgets requests released more than {@link #GRACE_MS} ago, gives back the reservations of
   * requests released {@link #USAGE_WAIT_MS} ago with no usage since, and frees the slots of
   * requests whose release has not come {@link #GRACE_MS} after their deadline (the session
   * processor answers every request by its deadline, so this is a safety net, counted).
   */
  void sweep(long nowMs) {
    List<KeyValue<String, String>> due = new ArrayList<>();
    try (KeyValueIterator<String, String> it =
        expiry.range(expiryKey(0, ""), expiryKey(nowMs, "~"))) {
      while (it.hasNext()) {
        due.add(it.next());
      }
    }
    for (KeyValue<String, String> d : due) {
      expiry.delete(d.key);
      InFlight e = inFlight.get(d.value);
      if (e == null) {
        continue;
      }
      if (!e.done() && nowMs >= e.deadlineMs() + GRACE_MS) {
        metrics.expired(e.tenant());
        release(d.value, nowMs);
      } else if (e.done() && nowMs >= e.doneAtMs() + GRACE_MS) {
        inFlight.delete(d.value);
      } else if (e.done()) {
        if (e.outstanding() > 0 && nowMs >= e.doneAtMs() + USAGE_WAIT_MS) {
          giveBack(d.value, e, nowMs);
        }
        expiry.put(expiryKey(e.doneAtMs() + GRACE_MS, d.value), d.value);
      }
    }
  }

  /** Refreshes the gauges of every tenant of this task (the minute's tokens move with time). */
  void gauges(long nowMs) {
    for (String tenant : tenantsSeen) {
      ScopeState st = existing("t:" + tenant);
      if (st != null) {
        Limits l = settings.tenants().forTenant(tenant);
        st.spend(l, nowMs);
        metrics.tenant(tenant, l, st, nowMs);
      }
    }
  }

  private ScopeState state(String key) {
    ScopeState st = existing(key);
    return st != null ? st : new ScopeState();
  }

  /** The scope's state, or null when it has none yet. */
  private ScopeState existing(String key) {
    ScopeState st = live.get(key);
    if (st == null) {
      st = counters.get(key);
      if (st != null) {
        live.put(key, st);
      }
    }
    return st;
  }

  /** Writes a scope's state, its windows pruned to the last minute (so its size is bounded). */
  private void put(String key, ScopeState st, long nowMs) {
    st.requests.prune(nowMs);
    st.tokens.prune(nowMs);
    live.put(key, st);
    counters.put(key, st);
    if (key.startsWith("t:")) {
      String tenant = key.substring(2);
      tenantsSeen.add(tenant);
      metrics.tenant(tenant, settings.tenants().forTenant(tenant), st, nowMs);
    }
  }

  private Limits limitsOf(String scopeKey) {
    String id = scopeKey.substring(2);
    return scopeKey.startsWith("t:")
        ? settings.tenants().forTenant(id)
        : settings.keys().forKey(id).orElse(Limits.NONE);
  }

  /** Sorts by time: a zero-padded epoch millisecond, then the request id. */
  static String expiryKey(long atMs, String requestId) {
    return String.format(Locale.ROOT, "%015d|%s", atMs, requestId);
  }

  static String nz(String tenant) {
    return tenant == null ? "" : tenant;
  }
}
