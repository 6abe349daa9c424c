package io.sluice.admission;

import io.sluice.config.SluiceConfig;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * The limits of a tenant or of a key; any of them may be null (no such limit).
 *
 * @param rpm requests admitted in any 60 one-second buckets
 * @param tpm tokens (prompt plus completion) in any 60 one-second buckets: estimated at admission,
 *     corrected by the usage
 * @param maxParallel requests admitted and not yet answered
 * @param budgetUsd spend in US dollars per {@code budgetPeriod} (cost_usd of the usage)
 * @param budgetPeriod {@code day} or {@code month}, in UTC
 */
public record Limits(
    Long rpm, Long tpm, Integer maxParallel, Double budgetUsd, String budgetPeriod) {
  public static final Limits NONE = new Limits(null, null, null, null, null);

  public Limits {
    budgetPeriod = budgetPeriod != null ? budgetPeriod : "month";
  }

  /** The limits of {@code tenants.<id>} in the config. */
  public static Limits of(SluiceConfig.TenantConfig t) {
    return t == null
        ? NONE
        : new Limits(t.rpm(), t.tpm(), t.maxParallel(), t.budgetUsd(), t.budgetPeriod());
  }

  /** True when no limit is set. */
  public boolean none() {
    return rpm == null && tpm == null && maxParallel == null && budgetUsd == null;
  }

  /** The start of the budget period that holds {@code nowMs}. */
  public long periodStartMs(long nowMs) {
    ZonedDateTime t =
        Instant.ofEpochMilli(nowMs).atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
    if (!"day".equals(budgetPeriod)) {
      t = t.withDayOfMonth(1);
    }
    return t.toInstant().toEpochMilli();
  }

  /** The end of the budget period that holds {@code nowMs}: when spend starts from zero again. */
  public long periodEndMs(long nowMs) {
    ZonedDateTime start = Instant.ofEpochMilli(periodStartMs(nowMs)).atZone(ZoneOffset.UTC);
    return ("day".equals(budgetPeriod) ? start.plusDays(1) : start.plusMonths(1))
        .toInstant()
        .toEpochMilli();
  }
}
