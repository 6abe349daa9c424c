package io.sluice.routing;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.atomic.AtomicInteger;

/** What the router knows of one deployment: its circuit, calls in flight, recent latency. */
public final class DeploymentState {
  private static final double ALPHA = 0.2;

  final Deployment deployment;
  final CircuitBreaker breaker;
  final AtomicInteger inFlight = new AtomicInteger();
  private volatile double latencyMs = -1;

  DeploymentState(Deployment deployment, CircuitBreaker breaker) {
    this.deployment = deployment;
    this.breaker = breaker;
  }

  public Deployment deployment() {
    return deployment;
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** Moving average of recent call latency; -1 before the first call. */
  public double latencyMs() {
    return latencyMs;
  }

  synchronized void recordLatency(long ms) {
    latencyMs = latencyMs < 0 ? ms : ALPHA * ms + (1 - ALPHA) * latencyMs;
  }
}
