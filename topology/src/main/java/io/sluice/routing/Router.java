package io.sluice.routing;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Picks a deployment for an alias by its strategy, skipping deployments whose circuit is open, and
 * learns from every call's outcome. Thread-safe: called from stream threads and HTTP callback
 * threads.
 *
 * <ul>
 *   <li>{@code weighted}: at random, in proportion to the weights;
 *   <li>{@code least_busy}: the fewest calls in flight (ties at random, by weight);
 *   <li>{@code lowest_latency}: the lowest moving average of recent latency; a deployment not yet
 *       called counts as fastest, so each is tried.
 * </ul>
 */
public final class Router {
  private final CircuitBreakerRegistry breakers;
  private final Map<String, DeploymentState> states = new ConcurrentHashMap<>();

  public Router(RoutingSettings s) {
    this.breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(s.breakerWindow())
                .minimumNumberOfCalls(s.breakerMinCalls())
                .failureRateThreshold(s.breakerFailureRate())
                .waitDurationInOpenState(s.breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
  }

  public DeploymentState state(Deployment d) {
    return states.computeIfAbsent(
        d.id(), id -> new DeploymentState(d, breakers.circuitBreaker(id)));
  }

  /** Every deployment seen so far (for metrics). */
  public Collection<DeploymentState> states() {
    return states.values();
  }

  /**
   * A deployment of {@code route} whose circuit lets a call through (the permission is taken:
   * report the outcome with {@link #succeeded} or {@link #failed}), or null when every circuit is
   * open.
   */
  public DeploymentState acquire(ModelRoute route) {
    List<DeploymentState> candidates = new ArrayList<>();
    // the weights are the route's: a state outlives config versions that change them
    Map<DeploymentState, Double> weights = new IdentityHashMap<>();
    for (Deployment d : route.deployments()) {
      DeploymentState s = state(d);
      candidates.add(s);
      weights.put(s, d.weight());
    }
    while (!candidates.isEmpty()) {
      DeploymentState pick = choose(route.strategy(), candidates, weights);
      // closed: always; open: only once the wait is over (it turns half-open); half-open: one probe
      if (pick.breaker.tryAcquirePermission()) {
        pick.inFlight.incrementAndGet();
        return pick;
      }
      candidates.remove(pick);
    }
    return null;
  }

  private static DeploymentState choose(
      String strategy, List<DeploymentState> c, Map<DeploymentState, Double> w) {
    return switch (strategy) {
      case "least_busy" -> {
        int min = c.stream().mapToInt(DeploymentState::inFlight).min().orElse(0);
        yield weighted(c.stream().filter(s -> s.inFlight() == min).toList(), w);
      }
      case "lowest_latency" -> {
        double min = c.stream().mapToDouble(s -> Math.max(0, s.latencyMs())).min().orElse(0);
        yield weighted(c.stream().filter(s -> Math.max(0, s.latencyMs()) == min).toList(), w);
      }
      default -> weighted(c, w);
    };
  }

  private static DeploymentState weighted(List<DeploymentState> c, Map<DeploymentState, Double> w) {
    double total = 0;
    for (DeploymentState s : c) {
      total += w.get(s);
    }
    if (total <= 0) {
      return c.get(ThreadLocalRandom.current().nextInt(c.size()));
    }
    double r = ThreadLocalRandom.current().nextDouble(total);
    for (DeploymentState s : c) {
      r -= w.get(s);
      if (r < 0) {
        return s;
      }
    }
    return c.get(c.size() - 1);
  }

  /** The call answered (or failed in a way that says nothing of the deployment's health). */
  public void succeeded(DeploymentState s, long latencyMs) {
    s.inFlight.decrementAndGet();
    s.recordLatency(latencyMs);
    s.breaker.onSuccess(latencyMs, TimeUnit.MILLISECONDS);
  }

  /** The call failed in a way that counts against the deployment (timeouts, 429, 5xx). */
  public void failed(DeploymentState s, long latencyMs, Throwable why) {
    s.inFlight.decrementAndGet();
    s.recordLatency(latencyMs);
    s.breaker.onError(latencyMs, TimeUnit.MILLISECONDS, why);
  }

  /** Gives back a permission that was not used (the call never started). */
  public void released(DeploymentState s) {
    s.inFlight.decrementAndGet();
    s.breaker.releasePermission();
  }
}
