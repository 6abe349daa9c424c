package io.sluice.keys;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One virtual key as stored in the compacted topic {@code llm.keys} (JSON, keyed by {@link #id}).
 * It holds the SHA-256 of the key, never the key. Limits left out (null) are not set: the tenant's
 * own limits still apply.
 *
 * @param id the key's id: not secret, what {@code sluice keys list} shows and {@code revoke} takes,
 *     and what a request's {@code key_id} names
 * @param sha256 lower-case hex SHA-256 of the key's UTF-8 bytes
 * @param tenant the tenant a request with this key belongs to
 * @param name a label for people (optional)
 * @param models the aliases the key may use; empty: whatever its tenant may use
 * @param rpm requests per minute (optional)
 * @param tpm tokens per minute, prompt plus completion (optional)
 * @param maxParallel requests in flight at once (optional)
 * @param budgetUsd spend allowed per {@link #budgetPeriod} in US dollars (optional)
 * @param budgetPeriod {@code day} or {@code month}; set exactly when {@link #budgetUsd} is
 * @param createdAt epoch millis
 * @param revokedAt epoch millis of the revocation, null while the key works
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtualKey(
    @JsonProperty("id") String id,
    @JsonProperty("sha256") String sha256,
    @JsonProperty("tenant") String tenant,
    @JsonProperty("name") String name,
    @JsonProperty("models") List<String> models,
    @JsonProperty("rpm") Long rpm,
    @JsonProperty("tpm") Long tpm,
    @JsonProperty("max_parallel") Integer maxParallel,
    @JsonProperty("budget_usd") Double budgetUsd,
    @JsonProperty("budget_period") String budgetPeriod,
    @JsonProperty("created_at") long createdAt,
    @JsonProperty("revoked_at") Long revokedAt) {

  /** Longest tenant, name and model alias. */
  public static final int MAX_TEXT = 128;

  /** Most model aliases one key may list. */
  public static final int MAX_MODELS = 64;

  /** Largest rpm, tpm or max_parallel. */
  public static final long MAX_LIMIT = 1_000_000_000L;

  /** Largest budget in US dollars. */
  public static final double MAX_BUDGET_USD = 1e9;

  public static final Set<String> PERIODS = Set.of("day", "month");

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  public VirtualKey {
    models = models == null ? List.of() : List.copyOf(models);
  }

  /** Whether the key still works. */
  public boolean active() {
    return revokedAt == null;
  }

  /** Whether the key may use {@code model} (no list: any model its tenant may use). */
  public boolean allows(String model) {
    return models.isEmpty() || models.contains(model);
  }

  /** This key, revoked at {@code atMs} (a revoked key stays revoked at its first time). */
  public VirtualKey revoked(long atMs) {
    return new VirtualKey(
        id,
        sha256,
        tenant,
        name,
        models,
        rpm,
        tpm,
        maxParallel,
        budgetUsd,
        budgetPeriod,
        createdAt,
        revokedAt != null ? revokedAt : atMs);
  }

  /**
   * What is wrong with this key, naming the field, or empty when it is valid. Every field is
   * bounded, so a valid key's record is a few KiB at most.
   */
  public Optional<String> problem() {
    if (id == null || !ID.matcher(id).matches()) {
      return Optional.of("id must be 1-64 letters, digits, '_' or '-'");
    }
    if (sha256 == null || !HEX.matcher(sha256).matches()) {
      return Optional.of("sha256 must be 64 lower-case hex digits");
    }
    Optional<String> text = text("tenant", tenant, true).or(() -> text("name", name, false));
    if (text.isPresent()) {
      return text;
    }
    if (models.size() > MAX_MODELS) {
      return Optional.of("models lists " + models.size() + " aliases, more than " + MAX_MODELS);
    }
    for (String m : models) {
      Optional<String> bad = text("models", m, true);
      if (bad.isPresent()) {
        return bad;
      }
    }
    Optional<String> limit =
        limit("rpm", rpm)
            .or(() -> limit("tpm", tpm))
            .or(() -> limit("max_parallel", maxParallel == null ? null : (long) maxParallel));
    if (limit.isPresent()) {
      return limit;
    }
    if (budgetUsd != null && (budgetUsd.isNaN() || budgetUsd <= 0 || budgetUsd > MAX_BUDGET_USD)) {
      return Optional.of("budget_usd must be > 0 and at most " + (long) MAX_BUDGET_USD);
    }
    if ((budgetUsd == null) != (budgetPeriod == null)) {
      return Optional.of("budget_usd and budget_period go together");
    }
    if (budgetPeriod != null && !PERIODS.contains(budgetPeriod)) {
      return Optional.of("budget_period must be day or month, not '" + clip(budgetPeriod) + "'");
    }
    if (createdAt <= 0) {
      return Optional.of("created_at must be positive");
    }
    return Optional.empty();
  }

  private static Optional<String> text(String field, String value, boolean required) {
    if (value == null) {
      return required ? Optional.of(field + " is required") : Optional.empty();
    }
    if (value.isBlank()) {
      return Optional.of(field + " must not be blank");
    }
    if (value.length() > MAX_TEXT) {
      return Optional.of(field + " is longer than " + MAX_TEXT + " characters");
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      return Optional.of(field + " must not contain control characters");
    }
    return Optional.empty();
  }

  private static Optional<String> limit(String field, Long value) {
    if (value != null && (value < 1 || value > MAX_LIMIT)) {
      return Optional.of(field + " must be between 1 and " + MAX_LIMIT + ", not " + value);
    }
    return Optional.empty();
  }

  private static String clip(String s) {
    return s.length() <= 32 ? s : s.substring(0, 32) + "...";
  }

  @Override
  public String toString() {
    // the hash is not the key, but there is no reason to print it either
    return "VirtualKey[" + id + ", tenant=" + tenant + (active() ? "" : ", revoked") + "]";
  }
}
