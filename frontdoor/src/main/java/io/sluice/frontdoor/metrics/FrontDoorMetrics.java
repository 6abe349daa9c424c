package io.sluice.frontdoor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The front door's meters, all named {@code sluice_front_door_*} in Prometheus: calls by route and
 * status, calls in flight, bytes in and out, time spent in Sluice per answer (histogram), and reply
 * records no call waited for. Thread-safe.
 */
public final class FrontDoorMetrics {
  private final MeterRegistry registry;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Counter bytesIn;
  private final Counter bytesOut;
  private final Counter dropped;
  private final DistributionSummary overhead;
  private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
  private final io.sluice.guardrails.PiiMetrics pii;

  public FrontDoorMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.pii = new io.sluice.guardrails.PiiMetrics(registry, "front_door");
    Gauge.builder("sluice.front.door.in.flight", inFlight, AtomicInteger::get)
        .description("HTTP calls being answered")
        .register(registry);
    this.bytesIn =
        Counter.builder("sluice.front.door.received")
            .description("request body bytes read")
            .baseUnit("bytes")
            .register(registry);
    this.bytesOut =
        Counter.builder("sluice.front.door.sent")
            .description("answer body bytes written")
            .baseUnit("bytes")
            .register(registry);
    this.dropped =
        Counter.builder("sluice.front.door.replies.dropped")
            .description("reply records for no waiting call (ended or another instance's)")
            .register(registry);
    this.overhead =
        DistributionSummary.builder("sluice.front.door.overhead")
            .description(
                "time spent in Sluice per answer, not at the provider (x-sluice-overhead-ms)")
            .baseUnit("milliseconds")
            .publishPercentileHistogram()
            .register(registry);
  }

  /** {@code sluice_pii_*} with {@code stage="front_door"}. */
  public io.sluice.guardrails.PiiMetrics pii() {
    return pii;
  }

  /** The in-flight count shared with the server's limit: one number, both uses. */
  public AtomicInteger inFlight() {
    return inFlight;
  }

  /** One answered call of {@code route} with {@code status}. */
  public void request(String route, int status) {
    String key = route + ' ' + status;
    Supplier<Counter> make =
        () ->
            Counter.builder("sluice.front.door.requests")
                .description("HTTP calls answered, by route and status")
                .tag("route", route)
                .tag("status", String.valueOf(status))
                .register(registry);
    requests.computeIfAbsent(key, k -> make.get()).increment();
  }

  public void bytesIn(long n) {
    bytesIn.increment(n);
  }

  public void bytesOut(long n) {
    bytesOut.increment(n);
  }

  public void overheadMs(long ms) {
    overhead.record(ms);
  }

  public void replyDropped() {
    dropped.increment();
  }
}
