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

  /**
   * The state each deployment's gauges read: the latest one seen, so that after a live config
   * version gives the dispatcher a new router, the gauges follow its states.
   */
  private final java.util.Map<String, DeploymentState> deployments =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Meters already registered, by name and tag values: the stream thread records several per
   * response, and building a meter's id (sorting its tags) and looking it up in the registry each
   * time cost more than the increment itself.
   */
  private final java.util.Map<MeterKey, Counter> counters =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final java.util.Map<MeterKey, Timer> timers =
      new java.util.concurrent.ConcurrentHashMap<>();

  private record MeterKey(String name, String a, String b, String c, String d) {}

  /** Requests held by ingest until the registry answers for their schema id, all tasks. */
  private final java.util.concurrent.atomic.AtomicLong awaitingSchema =
      new java.util.concurrent.atomic.AtomicLong();

  /** Registered up front, like the gauge above: a series that exists before its first event. */
  private final Counter cachePurged;

  private final Counter threadsReplaced;

  /** Reasons of {@code sluice_state_rebuilt_total}: why local state was wiped and rebuilt. */
  public static final String REBUILT_OTHER_CLUSTER = "other_cluster";

  public static final String REBUILT_TOPIC_RECREATED = "topic_recreated";
  public static final String REBUILT_OFFSET_OUT_OF_RANGE = "offset_out_of_range";
  public static final String REBUILT_UNCLEAN_SHUTDOWN = "unclean_shutdown";
  public static final String REBUILT_GLOBAL_THREAD_DIED = "global_thread_died";
  public static final String REBUILT_UNREADABLE = "unreadable";

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("sluice.requests.awaiting.schema", awaitingSchema, Number::doubleValue)
        .description("requests held until the schema registry answers for a new schema id")
        .register(registry);
    this.cachePurged =
        Counter.builder("sluice.cache.purged")
            .description("expired response-cache entries deleted")
            .register(registry);
    // a series before the first refusal, for the alert rule and the dashboard
    recordRefusedCounter("none", "none");
    this.threadsReplaced =
        Counter.builder("sluice.stream.threads.replaced")
            .description("stream threads that died and were replaced")
            .register(registry);
    for (String reason :
        java.util.List.of(
            REBUILT_OTHER_CLUSTER,
            REBUILT_TOPIC_RECREATED,
            REBUILT_OFFSET_OUT_OF_RANGE,
            REBUILT_UNCLEAN_SHUTDOWN,
            REBUILT_GLOBAL_THREAD_DIED,
            REBUILT_UNREADABLE)) {
      rebuiltCounter("cache", reason);
    }
    rebuiltCounter("tasks", REBUILT_OTHER_CLUSTER);
  }

  /**
   * Local state was wiped because it could not be valid, and is being rebuilt from the topics:
   * {@code store} is {@code cache} (the response cache's global store) or {@code tasks} (every task
   * store, restored from its changelog).
   */
  public void stateRebuilt(String store, String reason) {
    rebuiltCounter(store, reason).increment();
  }

  private Counter rebuiltCounter(String store, String reason) {
    return counters.computeIfAbsent(
        new MeterKey("sluice.state.rebuilt", store, reason, null, null),
        k ->
            Counter.builder(k.name())
                .description("local state wiped at start or while running and rebuilt")
                .tag("store", k.a())
                .tag("reason", k.b())
                .register(registry));
  }

  /** Ingest holds {@code delta} more (or, negative, fewer) requests for a schema fetch. */
  public void awaitingSchema(long delta) {
    awaitingSchema.addAndGet(delta);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** A response left the gateway. */
  public void response(
      String model, String provider, String status, boolean cacheHit, long latencyMs) {
    String via = provider == null ? (cacheHit ? "cache" : "none") : provider;
    counters
        .computeIfAbsent(
            new MeterKey("sluice.requests", status, nz(model), via, null),
            k ->
                Counter.builder(k.name())
                    .description("responses by status, model and provider")
                    .tag("status", k.a())
                    .tag("model", k.b())
                    .tag("provider", k.c())
                    .register(registry))
        .increment();
    latency(
        new MeterKey("sluice.request.duration", nz(model), status, null, null),
        "end-to-end latency, from the request's created_at to its response",
        "model",
        "status",
        latencyMs);
  }

  /** One provider call ended ({@code outcome}: ok or an error code). */
  public void providerCall(String provider, String outcome, long latencyMs) {
    latency(
        new MeterKey("sluice.provider.call.duration", provider, outcome, null, null),
        "provider call latency by provider and outcome",
        "provider",
        "outcome",
        latencyMs);
  }

  /**
   * The first chunk of a streamed answer was written, {@code ms} after its provider call started.
   */
  public void timeToFirstToken(String provider, String model, long ms) {
    latency(
        new MeterKey("sluice.time.to.first.token", provider, nz(model), null, null),
        "time from a streamed provider call's start to its first chunk",
        "provider",
        "model",
        ms);
  }

  /** A chunk of a streamed answer could not be buffered at once and was dropped. */
  public void chunkDropped(String topic) {
    counters
        .computeIfAbsent(
            new MeterKey("sluice.chunks.dropped", topic, null, null, null),
            k ->
                Counter.builder(k.name())
                    .description(
                        "response chunks dropped: the producer could not take them at once")
                    .tag("topic", k.a())
                    .register(registry))
        .increment();
  }

  /**
   * Records into the latency timer {@code key} (tags {@code tagA}, {@code tagB} from its first two
   * values), registered with histogram buckets from 1 ms to 5 minutes the first time.
   */
  private void latency(MeterKey key, String description, String tagA, String tagB, long ms) {
    timers
        .computeIfAbsent(
            key,
            k ->
                Timer.builder(k.name())
                    .description(description)
                    .tag(tagA, k.a())
                    .tag(tagB, k.b())
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(5))
                    .register(registry))
        .record(Math.max(0, ms), java.util.concurrent.TimeUnit.MILLISECONDS);
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
    counters
        .computeIfAbsent(
            new MeterKey(
                hit ? "sluice.cache.hits" : "sluice.cache.misses", nz(model), null, null, null),
            k ->
                Counter.builder(k.name())
                    .description(
                        hit
                            ? "requests answered from the response cache"
                            : "cacheable requests not in the cache")
                    .tag("model", k.a())
                    .register(registry))
        .increment();
  }

  /** Expired entries removed from the response cache (a tombstone each). */
  public void cachePurged(int entries) {
    cachePurged.increment(entries);
  }

  public void tokens(String tenant, String provider, String model, int prompt, int completion) {
    tokenCounter(tenant, provider, model, "prompt").increment(prompt);
    tokenCounter(tenant, provider, model, "completion").increment(completion);
  }

  private Counter tokenCounter(String tenant, String provider, String model, String kind) {
    return counters.computeIfAbsent(
        new MeterKey("sluice.tokens", nz(tenant), provider, nz(model), kind),
        k ->
            Counter.builder(k.name())
                .description("tokens billed")
                .tag("tenant", k.a())
                .tag("provider", k.b())
                .tag("model", k.c())
                .tag("kind", k.d())
                .register(registry));
  }

  public void cost(String tenant, String model, double usd) {
    counters
        .computeIfAbsent(
            new MeterKey("sluice.cost.usd", nz(tenant), nz(model), null, null),
            k ->
                Counter.builder(k.name())
                    .description("provider cost in US dollars")
                    .tag("tenant", k.a())
                    .tag("model", k.b())
                    .register(registry))
        .increment(usd);
  }

  /**
   * A record that would have passed its size bound was changed before it was written: {@code
   * action} is {@code replaced} (an answer became a {@code response_too_large} error), {@code
   * trimmed} (span attributes shortened), {@code kept_out} (a turn left out of the history), {@code
   * not_cached}, {@code rejected} (a request refused at ingest) or {@code dropped}.
   */
  public void recordBounded(String record, String action) {
    counters
        .computeIfAbsent(
            new MeterKey("sluice.records.bounded", record, action, null, null),
            k ->
                Counter.builder(k.name())
                    .description("records changed or left out to keep them under their size bound")
                    .tag("record", k.a())
                    .tag("action", k.b())
                    .register(registry))
        .increment();
  }

  /** A record the producer or broker refused, left out by the production exception handler. */
  public void recordRefused(String topic, String error) {
    recordRefusedCounter(topic, error).increment();
  }

  private Counter recordRefusedCounter(String topic, String error) {
    return counters.computeIfAbsent(
        new MeterKey("sluice.records.refused", topic, error, null, null),
        k ->
            Counter.builder(k.name())
                .description("records the producer or the broker refused")
                .tag("topic", k.a())
                .tag("error", k.b())
                .register(registry));
  }

  /** A processor failed on a record; the record went to the dead-letter topic. */
  public void processingFailure(String processor) {
    counters
        .computeIfAbsent(
            new MeterKey("sluice.processing.failures", processor, null, null, null),
            k ->
                Counter.builder(k.name())
                    .description("records a processor failed on, dead-lettered")
                    .tag("processor", k.a())
                    .register(registry))
        .increment();
  }

  /** A stream thread died and was replaced. */
  public void streamThreadReplaced() {
    threadsReplaced.increment();
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
    if (deployments.put(id, s) != null) {
      return;
    }
    Gauge.builder("sluice.deployment.calls.in.flight", deployments, m -> m.get(id).inFlight())
        .description("calls in flight per deployment")
        .tag("deployment", id)
        .register(registry);
    Gauge.builder("sluice.circuit.state", deployments, m -> circuit(m.get(id).breaker().getState()))
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
