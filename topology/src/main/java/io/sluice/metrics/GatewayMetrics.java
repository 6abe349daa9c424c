package io.sluice.metrics;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.routing.DeploymentState;
import java.time.Duration;

/**
 * The gateway's own metrics, all named {@code sluice_*} in Prometheus. Thread-safe. Under
 * exactly-once a crash can make a processor repeat work, so counters may run slightly ahead of the
 * topics; the topics are the record, the metrics are for dashboards and alerts.
 */
public final class GatewayMetrics {
  private final MeterRegistry registry;
  private final java.util.Set<String> deployments =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** A response left the gateway. */
  public void response(
      String model, String provider, String status, boolean cacheHit, long latencyMs) {
    Counter.builder("sluice.requests")
        .description("responses by status, model and provider")
        .tag("status", status)
        .tag("model", nz(model))
        .tag("provider", provider == null ? (cacheHit ? "cache" : "none") : provider)
        .register(registry)
        .increment();
    Timer.builder("sluice.request.duration")
        .description("end-to-end latency, from the request's created_at to its response")
        .tag("model", nz(model))
        .tag("status", status)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(5))
        .register(registry)
        .record(Duration.ofMillis(Math.max(0, latencyMs)));
  }

  /** One provider call ended ({@code outcome}: ok or an error code). */
  public void providerCall(String provider, String outcome, long latencyMs) {
    Timer.builder("sluice.provider.call.duration")
        .description("provider call latency by provider and outcome")
        .tag("provider", provider)
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(5))
        .register(registry)
        .record(Duration.ofMillis(Math.max(0, latencyMs)));
  }

  public void retry(String provider) {
    Counter.builder("sluice.retries")
        .description("provider calls retried")
        .tag("provider", provider)
        .register(registry)
        .increment();
  }

  public void fallback(String from, String to) {
    Counter.builder("sluice.fallbacks")
        .description("requests passed to a fallback alias")
        .tag("from", from)
        .tag("to", to)
        .register(registry)
        .increment();
  }

  public void cacheLookup(String model, boolean hit) {
    Counter.builder(hit ? "sluice.cache.hits" : "sluice.cache.misses")
        .description(
            hit
                ? "requests answered from the response cache"
                : "cacheable requests not in the cache")
        .tag("model", nz(model))
        .register(registry)
        .increment();
  }

  public void tokens(String tenant, String provider, String model, int prompt, int completion) {
    Counter.builder("sluice.tokens")
        .description("tokens billed")
        .tag("tenant", nz(tenant))
        .tag("provider", provider)
        .tag("model", nz(model))
        .tag("kind", "prompt")
        .register(registry)
        .increment(prompt);
    Counter.builder("sluice.tokens")
        .description("tokens billed")
        .tag("tenant", nz(tenant))
        .tag("provider", provider)
        .tag("model", nz(model))
        .tag("kind", "completion")
        .register(registry)
        .increment(completion);
  }

  public void cost(String tenant, String model, double usd) {
    Counter.builder("sluice.cost.usd")
        .description("provider cost in US dollars")
        .tag("tenant", nz(tenant))
        .tag("model", nz(model))
        .register(registry)
        .increment(usd);
  }

  public void deadLetter(String code) {
    Counter.builder("sluice.dead.letters")
        .description("records sent to the dead-letter topic")
        .tag("code", code)
        .register(registry)
        .increment();
  }

  /**
   * Gauges of one deployment: calls in flight and circuit state (0 closed, 1 open, 2 half-open).
   */
  public void deployment(DeploymentState s) {
    String id = s.deployment().id();
    if (!deployments.add(id)) {
      return;
    }
    Gauge.builder("sluice.deployment.calls.in.flight", s, DeploymentState::inFlight)
        .description("calls in flight per deployment")
        .tag("deployment", id)
        .register(registry);
    Gauge.builder("sluice.circuit.state", s, st -> circuit(st.breaker().getState()))
        .description("circuit breaker state: 0 closed, 1 open, 2 half-open")
        .tag("deployment", id)
        .register(registry);
  }

  private static double circuit(CircuitBreaker.State state) {
    return switch (state) {
      case OPEN, FORCED_OPEN -> 1;
      case HALF_OPEN -> 2;
      default -> 0;
    };
  }

  private static String nz(String s) {
    return s == null ? "none" : s;
  }
}
