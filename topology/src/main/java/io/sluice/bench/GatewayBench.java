package io.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The load generator: produces {@code Request}s to a running gateway and reads its {@code
 * Response}s (read_committed), matching them by request_id.
 *
 * <p>Open loop sends at a target rate and measures latency from each request's intended send time,
 * so a slow gateway cannot hide its queueing (no coordinated omission); closed loop keeps a fixed
 * number in flight. Requests sent during the warm-up are answered but not counted; the open loop's
 * warm-up ramps up to the rate and skips (and counts as {@code warmup_skipped}) requests due while
 * {@link #warmupCap()} are outstanding, so a cold gateway does not carry a backlog into the
 * measured phase. Once measuring, every due request is sent, whatever is outstanding. After the
 * measured phase, it waits at most {@code drain} for what is still outstanding, then stops and
 * counts the rest as missing. Errors, missing and duplicated responses are reported, never hidden.
 */
public final class GatewayBench {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What to run. {@code requests} 0 means: for {@code duration}. */
  public record Options(
      String bootstrap,
      Properties kafka,
      String requestsTopic,
      String responsesTopic,
      boolean openLoop,
      int rate,
      int inFlight,
      Duration warmup,
      Duration duration,
      long requests,
      Workload workload,
      long providerLatencyMs,
      Duration drain) {}

  private record Sent(long intendedNanos, boolean counted) {}

  private final Options o;
  private final ConfluentAvroSerde<Request> requests;
  private final ConfluentAvroSerde<Response> responses;
  private final PrintStream progress;
  private final Map<String, Sent> outstanding = new ConcurrentHashMap<>();
  private final Set<String> answered = ConcurrentHashMap.newKeySet();
  private final Recorder total = new Recorder(3);
  private final Recorder interval = new Recorder(3);
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();

  /** Responses and error responses in every phase, warm-up included: the progress line's. */
  private final AtomicLong allAnswered = new AtomicLong();

  private final AtomicLong allErrors = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong cacheHits = new AtomicLong();
  private final AtomicLong countedSent = new AtomicLong();
  private final AtomicLong countedAnswered = new AtomicLong();

  /** Warm-up requests not sent because the warm-up's cap on outstanding requests was reached. */
  private long warmupSkipped;

  private volatile long maxHeapUsed;
  private volatile boolean receiving = true;
  private final List<MeasuredPhase> meters = new ArrayList<>();

  public GatewayBench(
      Options o,
      ConfluentAvroSerde<Request> requests,
      ConfluentAvroSerde<Response> responses,
      PrintStream progress) {
    this.o = o;
    this.requests = requests;
    this.responses = responses;
    this.progress = progress;
  }

  /** Samples {@code m} over the measured phase and adds its figures to the summary. */
  public GatewayBench observe(MeasuredPhase m) {
    meters.add(m);
    return this;
  }

  public ObjectNode run() throws InterruptedException {
    String run = UUID.randomUUID().toString().substring(0, 8);
    Properties p = new Properties();
    p.putAll(o.kafka());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "1");
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "bench-load"); // not sluice-: see ThreadCpu
    Properties c = new Properties();
    c.putAll(o.kafka());
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    Semaphore window = new Semaphore(o.openLoop() ? Integer.MAX_VALUE : o.inFlight());
    try (KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        KafkaConsumer<String, Response> consumer =
            new KafkaConsumer<>(c, new StringDeserializer(), responses.deserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      consumer
          .partitionsFor(o.responsesTopic(), Duration.ofSeconds(30))
          .forEach(i -> parts.add(new TopicPartition(o.responsesTopic(), i.partition())));
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      parts.forEach(consumer::position);
      Thread receiver = new Thread(() -> receive(consumer, window), "sluice-bench-receiver");
      receiver.start();

      SplittableRandom random = new SplittableRandom(42);
      long start = System.nanoTime();
      long warmupEnd = start + o.warmup().toNanos();
      long end = o.requests() > 0 ? Long.MAX_VALUE : warmupEnd + o.duration().toNanos();
      long measuredStart = 0;
      long n = 0;
      long nextReport = start + TimeUnit.SECONDS.toNanos(5);
      long lastAnswered = 0;
      String phase = o.warmup().isZero() ? "measure" : "warm-up";
      while (true) {
        long now = System.nanoTime();
        boolean counted = now >= warmupEnd;
        if (counted && measuredStart == 0) {
          measuredStart = now;
          interval.reset();
          phase = "measure";
          meters.forEach(MeasuredPhase::start);
        }
        if (now >= end || (o.requests() > 0 && countedSent.get() >= o.requests())) {
          break;
        }
        if (now >= nextReport) {
          long a = allAnswered.get();
          report(phase, now - start, a - lastAnswered);
          if (measuredStart != 0) {
            meters.forEach(MeasuredPhase::tick);
          }
          lastAnswered = a;
          nextReport += TimeUnit.SECONDS.toNanos(5);
        }
        long intended;
        if (o.openLoop()) {
          long due = due(now - start);
          if (n >= due) {
            // park until the next request is due: a spinning generator would take a core from
            // the gateway on this 2-core machine
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            continue;
          }
          if (!counted && outstanding.size() >= warmupCap()) {
            // a JVM still compiling answers more slowly than the target rate: skip this warm-up
            // request rather than build a backlog that the measured phase would inherit
            n++;
            warmupSkipped++;
            continue;
          }
          intended = intendedAt(start, n);
        } else {
          if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            continue;
          }
          intended = System.nanoTime();
        }
        Request r = o.workload().request(run, n++, random);
        outstanding.put(r.getRequestId(), new Sent(intended, counted));
        if (counted) {
          countedSent.incrementAndGet();
        }
        producer.send(
            new ProducerRecord<>(
                o.requestsTopic(), r.getSessionId(), requests.serialize(o.requestsTopic(), r)));
      }
      producer.flush();
      long sendEnd = System.nanoTime();
      if (measuredStart == 0) { // --requests 0 with no time to measure: nothing was measured
        meters.forEach(MeasuredPhase::start);
      }
      meters.forEach(MeasuredPhase::end);
      long drainUntil = sendEnd + o.drain().toNanos();
      while (countedAnswered.get() < countedSent.get() && System.nanoTime() < drainUntil) {
        TimeUnit.MILLISECONDS.sleep(20);
      }
      long measured =
          (o.requests() > 0 ? System.nanoTime() : sendEnd)
              - (measuredStart == 0 ? start : measuredStart);
      receiving = false;
      receiver.join(5000);
      return summary(measured);
    }
  }

  /**
   * Requests due {@code t} ns after the start. The warm-up ramps the rate up linearly from 10 % to
   * 100 %, so a cold JVM is not buried under a backlog it then carries into the measured phase;
   * from the end of the warm-up on, the full rate.
   */
  long due(long t) {
    double r = o.rate();
    double w = o.warmup().toNanos() / 1e9;
    double s = t / 1e9;
    if (s < w) {
      return (long) (r * (0.1 * s + 0.45 * s * s / w));
    }
    return (long) (r * 0.55 * w + r * (s - w));
  }

  /**
   * The most requests the open loop's warm-up keeps outstanding: the target rate times the provider
   * latency plus one second (at least 100).
   */
  long warmupCap() {
    return Math.max(100, o.rate() * (o.providerLatencyMs() + 1000) / 1000);
  }

  /** When request {@code n} was meant to go (only measured requests use it: after the warm-up). */
  long intendedAt(long start, long n) {
    double r = o.rate();
    double w = o.warmup().toNanos() / 1e9;
    double atWarmupEnd = r * 0.55 * w;
    return start + (long) ((w + Math.max(0, n - atWarmupEnd) / r) * 1e9);
  }

  private void receive(KafkaConsumer<String, Response> consumer, Semaphore window) {
    while (receiving) {
      for (ConsumerRecord<String, Response> rec : consumer.poll(Duration.ofMillis(50))) {
        Response r = rec.value();
        if (r == null || r.getRequestId() == null) {
          continue;
        }
        long now = System.nanoTime();
        Sent s = outstanding.remove(r.getRequestId());
        if (s == null) {
          if (answered.contains(r.getRequestId())) {
            duplicates.incrementAndGet();
          }
          continue;
        }
        answered.add(r.getRequestId());
        if (!o.openLoop()) {
          window.release();
        }
        allAnswered.incrementAndGet();
        boolean okStatus = r.getStatus() == ResponseStatus.OK;
        if (!okStatus) {
          allErrors.incrementAndGet();
        }
        if (s.counted()) {
          // the summary's counts are the measured requests' only, so ok + errors = answered
          (okStatus ? ok : errors).incrementAndGet();
          if (r.getCacheHit()) {
            cacheHits.incrementAndGet();
          }
          countedAnswered.incrementAndGet();
          long micros = Math.max(1, (now - s.intendedNanos()) / 1000);
          total.recordValue(micros);
          interval.recordValue(micros);
        }
      }
    }
  }

  private void report(String phase, long elapsedNanos, long answeredInInterval) {
    Histogram h = interval.getIntervalHistogram();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    maxHeapUsed = Math.max(maxHeapUsed, used);
    progress.printf(
        "%s %4.0fs  answered %,d/s  in flight %,d  p50 %.1f ms  p99 %.1f ms  errors %d  heap %d MiB%n",
        phase,
        elapsedNanos / 1e9,
        answeredInInterval / 5,
        outstanding.size(),
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0,
        allErrors.get(),
        used >> 20);
  }

  /** Latency (µs) minus the provider's (ms), in ms to the microsecond, never negative. */
  static double overhead(long latencyMicros, double providerMs) {
    return Math.max(0, latencyMicros - Math.round(providerMs * 1000)) / 1000.0;
  }

  private ObjectNode summary(long measuredNanos) {
    Histogram h = total.getIntervalHistogram();
    double seconds = measuredNanos / 1e9;
    long missing = countedSent.get() - countedAnswered.get();
    double lat = o.providerLatencyMs();
    ObjectNode s =
        MAPPER
            .createObjectNode()
            .put("workload", o.workload().name())
            .put("mode", o.openLoop() ? "open" : "closed")
            .put("target_rate", o.openLoop() ? o.rate() : 0)
            .put("in_flight_target", o.openLoop() ? 0 : o.inFlight())
            .put("warmup_s", o.warmup().toSeconds())
            .put("warmup_skipped", warmupSkipped)
            .put("measured_s", seconds)
            .put("sent", countedSent.get())
            .put("answered", countedAnswered.get())
            .put("ok", ok.get())
            .put("errors", errors.get())
            .put("cache_hits", cacheHits.get())
            .put("missing", missing)
            .put("duplicates", duplicates.get())
            .put("throughput_rps", Math.round(countedAnswered.get() / seconds))
            .put("latency_p50_ms", h.getValueAtPercentile(50) / 1000.0)
            .put("latency_p95_ms", h.getValueAtPercentile(95) / 1000.0)
            .put("latency_p99_ms", h.getValueAtPercentile(99) / 1000.0)
            .put("latency_max_ms", h.getMaxValue() / 1000.0)
            .put("provider_latency_ms", lat)
            .put("overhead_p50_ms", overhead(h.getValueAtPercentile(50), lat))
            .put("overhead_p99_ms", overhead(h.getValueAtPercentile(99), lat))
            .put("max_heap_used_mib", maxHeapUsed >> 20);
    meters.forEach(m -> m.report(s, countedAnswered.get()));
    return s;
  }
}
