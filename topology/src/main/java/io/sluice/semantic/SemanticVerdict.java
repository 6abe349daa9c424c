package io.sluice.semantic;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.ErrorInfo;
import io.sluice.events.TokenUsage;
import io.sluice.internal.Completion;
import java.util.ArrayList;
import java.util.Locale;

/**
 * The semantic lookup's result, carried back to the session processor as a {@link Completion} on
 * the completions topic (to the partition of the task that dispatched it), like a provider's
 * answer. INTERNAL encoding, so the Avro schema stays as it is: not ok, {@code provider} {@value
 * #PROVIDER}, error code {@code semantic_hit} (message: cache key, similarity, embedding ms) or
 * {@code semantic_miss} (the providers could not take the request; the session dispatches it
 * again). A plain miss sends nothing back: the request went on to the providers.
 *
 * @param cacheKey the cache entry to answer with, or null for a miss
 */
public record SemanticVerdict(String cacheKey, double similarity, long embedMs) {
  public static final String PROVIDER = "sluice.semantic";
  static final String HIT = "semantic_hit";
  static final String MISS = "semantic_miss";

  public boolean hit() {
    return cacheKey != null;
  }

  /** The verdict {@code c} carries, or null when {@code c} is a provider's completion. */
  public static SemanticVerdict of(Completion c) {
    ErrorInfo e = c.getError();
    if (c.getOk() || !PROVIDER.equals(c.getProvider()) || e == null) {
      return null;
    }
    if (MISS.equals(e.getCode())) {
      return new SemanticVerdict(null, 0, 0);
    }
    if (!HIT.equals(e.getCode()) || e.getMessage() == null) {
      return null;
    }
    String[] f = e.getMessage().split(" ");
    if (f.length != 3) {
      return null;
    }
    try {
      return new SemanticVerdict(f[0], Double.parseDouble(f[1]), Long.parseLong(f[2]));
    } catch (NumberFormatException bad) {
      return null;
    }
  }

  public static Completion hit(DispatchJob job, String cacheKey, double similarity, long embedMs) {
    return completion(
        job, HIT, cacheKey + " " + String.format(Locale.ROOT, "%.4f", similarity) + " " + embedMs);
  }

  public static Completion miss(DispatchJob job) {
    return completion(job, MISS, "no semantic match and no room at the providers");
  }

  private static Completion completion(DispatchJob job, String code, String message) {
    return Completion.newBuilder()
        .setRequestId(job.requestId())
        .setSessionId(job.sessionId())
        .setDispatch(job.dispatch())
        .setOk(false)
        .setProvider(PROVIDER)
        .setUsage(new TokenUsage(0, 0, 0))
        .setAttempts(new ArrayList<>())
        .setToolCalls(new ArrayList<>())
        .setError(new ErrorInfo(code, message, false, null, null))
        .build();
  }
}
