package io.sluice.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admission stage's metrics, per tenant, named {@code sluice_*} in Prometheus: {@code
 * sluice_admission_requests_total{tenant, outcome, limit}} (admitted, or refused with the limit:
 * rpm, tpm, max_parallel, budget), {@code sluice_admission_slots_expired_total{tenant}}, and the
 * gauges of a tenant with limits, set by the instance whose task owns the tenant (and removed there
 * when the task moves): {@code sluice_tenant_in_flight}, {@code sluice_tenant_tokens_minute} (the
 * sliding minute's tokens, reserved and used), {@code sluice_tenant_spend_usd} and {@code
 * sluice_tenant_budget_usd} (the current budget period), {@code
 * sluice_tenant_budget_remaining_usd}. Thread-safe.
 */
public final class AdmissionMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, TenantGauges> gauges = new ConcurrentHashMap<>();

  public AdmissionMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void admitted(String tenant) {
    requests(tenant, "admitted", "none").increment();
  }

  void refused(String tenant, String limit) {
    requests(tenant, "refused", limit).increment();
  }

  void expired(String tenant) {
    counters
        .computeIfAbsent(
            "expired|" + tenant,
            k ->
                Counter.builder("sluice.admission.slots.expired")
                    .description(
                        "parallel slots freed by the sweep: no release came by the deadline")
                    .tag("tenant", tenant)
                    .register(registry))
        .increment();
  }

  private Counter requests(String tenant, String outcome, String limit) {
    return counters.computeIfAbsent(
        tenant + "|" + outcome + "|" + limit,
        k ->
            Counter.builder("sluice.admission.requests")
                .description("requests admitted or refused by the tenant admission stage")
                .tag("tenant", tenant)
                .tag("outcome", outcome)
                .tag("limit", limit)
                .register(registry));
  }

  /** The tenant's state as this task last wrote it. */
  void tenant(String tenant, Limits limits, ScopeState s, long nowMs) {
    TenantGauges g = gauges.computeIfAbsent(tenant, this::register);
    g.inFlight = s.inFlight;
    g.tokensMinute = s.tokens.total(nowMs);
    g.spend = s.spendUsd;
    g.budget = limits.budgetUsd() == null ? Double.NaN : limits.budgetUsd();
  }

  /** The task that owned these tenants closed (or moved): its gauges are no one's now. */
  void forget(Iterable<String> tenants) {
    for (String t : tenants) {
      TenantGauges g = gauges.remove(t);
      if (g != null) {
        g.meters.forEach(registry::remove);
      }
    }
  }

  private TenantGauges register(String tenant) {
    TenantGauges g = new TenantGauges();
    g.meters.add(
        gauge(
            "sluice.tenant.in.flight",
            "requests admitted, not yet answered",
            tenant,
            g,
            x -> x.inFlight));
    g.meters.add(
        gauge(
            "sluice.tenant.tokens.minute",
            "tokens in the sliding minute",
            tenant,
            g,
            x -> x.tokensMinute));
    g.meters.add(
        gauge("sluice.tenant.spend.usd", "spend in the budget period", tenant, g, x -> x.spend));
    g.meters.add(
        gauge(
            "sluice.tenant.budget.usd",
            "budget of the period (NaN: none)",
            tenant,
            g,
            x -> x.budget));
    g.meters.add(
        gauge(
            "sluice.tenant.budget.remaining.usd",
            "budget left in the period (NaN: no budget)",
            tenant,
            g,
            x -> Double.isNaN(x.budget) ? Double.NaN : Math.max(0, x.budget - x.spend)));
    return g;
  }

  private Meter gauge(
      String name,
      String description,
      String tenant,
      TenantGauges g,
      java.util.function.ToDoubleFunction<TenantGauges> f) {
    return Gauge.builder(name, g, f)
        .description(description)
        .tag("tenant", tenant)
        .register(registry);
  }

  private static final class TenantGauges {
    final List<Meter> meters = new ArrayList<>();
    volatile double inFlight;
    volatile double tokensMinute;
    volatile double spend;
    volatile double budget = Double.NaN;
  }
}
