package io.sluice.bench.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Load on any OpenAI- or Anthropic-compatible HTTP endpoint (Sluice's front door, another gateway,
 * a provider): open loop at a fixed rate (latency from each call's intended start, so a slow server
 * cannot hide its queue) or closed loop with a fixed number of calls in flight (the saturated
 * throughput). Every prompt is unique, so no cache answers. Streaming calls also measure the time
 * to the first content. Every loop is bounded by the warm-up and the measured duration.
 */
public final class HttpGatewayBench {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What to run; {@code rate} 0 means closed loop with {@code inFlight} calls. */
  public record Options(
      String baseUrl,
      boolean anthropic,
      String model,
      Map<String, String> headers,
      int rate,
      int inFlight,
      boolean stream,
      Duration warmup,
      Duration duration,
      int maxConnections,
      long providerLatencyMs) {}

  private final Options o;
  private final PrintStream progress;
  private final Recorder latency = new Recorder(3);
  private final Recorder firstContent = new Recorder(3);
  private final LongAdder ok = new LongAdder();
  private final Map<Integer, LongAdder> failures = new ConcurrentHashMap<>();
  private final AtomicLong seq = new AtomicLong();
  private final AtomicLong outstanding = new AtomicLong();
  private volatile boolean measuring;
  private volatile boolean stopping;
  private HttpCallPool pool;

  public HttpGatewayBench(Options options, PrintStream progress) {
    this.o = options;
    this.progress = progress;
  }

  /** Runs the warm-up and the measurement; returns the summary. */
  public ObjectNode run() throws InterruptedException {
    String path = o.anthropic() ? "/messages" : "/chat/completions";
    int connections = o.rate() > 0 ? o.maxConnections() : o.inFlight();
    try (HttpCallPool p =
        new HttpCallPool(URI.create(o.baseUrl() + path), o.headers(), connections)) {
      pool = p;
      if (o.rate() == 0) {
        for (int i = 0; i < o.inFlight(); i++) {
          submit(System.nanoTime());
        }
      }
      phase("warm-up", o.warmup());
      latency.reset();
      firstContent.reset();
      ok.reset();
      failures.clear();
      measuring = true;
      long start = System.nanoTime();
      phase("measure", o.duration());
      double seconds = (System.nanoTime() - start) / 1e9;
      measuring = false;
      Histogram h = latency.getIntervalHistogram();
      Histogram f = firstContent.getIntervalHistogram();
      long failed = failures.values().stream().mapToLong(LongAdder::sum).sum();
      stopping = true;
      long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (outstanding.get() > 0 && System.nanoTime() < drainEnd) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
      return summary(seconds, h, f, failed);
    }
  }

  /** Sends calls on schedule (open loop) and prints progress, until {@code length} has passed. */
  private void phase(String name, Duration length) throws InterruptedException {
    long start = System.nanoTime();
    long end = start + length.toNanos();
    long nextReport = start + TimeUnit.SECONDS.toNanos(5);
    long lastOk = ok.sum();
    long sentInPhase = 0;
    while (System.nanoTime() < end) {
      long now = System.nanoTime();
      if (o.rate() > 0) {
        long due = (long) ((now - start) / 1e9 * o.rate());
        for (; sentInPhase < due; sentInPhase++) {
          submit(start + (long) (sentInPhase * 1e9 / o.rate()));
        }
      }
      if (now >= nextReport) {
        long done = ok.sum();
        progress.printf(
            "%s %4.0fs  ok %,d/s  outstanding %,d  waiting for a connection %,d  connections %,d%n",
            name,
            (now - start) / 1e9,
            (done - lastOk) / 5,
            outstanding.get(),
            pool.waiting(),
            pool.openConnections());
        lastOk = done;
        nextReport += TimeUnit.SECONDS.toNanos(5);
      }
      TimeUnit.MICROSECONDS.sleep(500);
    }
  }

  private void submit(long intendedNanos) {
    outstanding.incrementAndGet();
    pool.submit(new HttpCallPool.Call(body(seq.incrementAndGet()), intendedNanos, this::done));
  }

  private void done(int status, long firstNanos, long totalNanos) {
    outstanding.decrementAndGet();
    if (measuring) {
      if (status == 200) {
        ok.increment();
        latency.recordValue(totalNanos / 1000);
        if (o.stream() && firstNanos >= 0) {
          firstContent.recordValue(firstNanos / 1000);
        }
      } else {
        failures.computeIfAbsent(status, s -> new LongAdder()).increment();
      }
    }
    if (o.rate() == 0 && !stopping) {
      submit(System.nanoTime());
    }
  }

  private ByteBuf body(long n) {
    ObjectNode b = MAPPER.createObjectNode().put("model", o.model());
    b.putArray("messages")
        .addObject()
        .put("role", "user")
        .put("content", "benchmark prompt " + n + " of a unique run");
    if (o.anthropic()) {
      b.put("max_tokens", 64);
    }
    if (o.stream()) {
      b.put("stream", true);
      if (!o.anthropic()) {
        b.putObject("stream_options").put("include_usage", true);
      }
    }
    return Unpooled.wrappedBuffer(b.toString().getBytes(StandardCharsets.UTF_8));
  }

  private ObjectNode summary(double seconds, Histogram h, Histogram f, long failed) {
    long done = ok.sum();
    double provider = o.providerLatencyMs();
    ObjectNode s =
        MAPPER
            .createObjectNode()
            .put("url", o.baseUrl())
            .put("format", o.anthropic() ? "anthropic" : "openai")
            .put("mode", o.rate() > 0 ? "open" : "closed")
            .put("target_rate", o.rate())
            .put("in_flight_target", o.inFlight())
            .put("stream", o.stream())
            .put("warmup_s", o.warmup().toSeconds())
            .put("measured_s", seconds)
            .put("ok", done)
            .put("failed", failed)
            .put("throughput_rps", Math.round(done / seconds))
            .put("latency_p50_ms", h.getValueAtPercentile(50) / 1000.0)
            .put("latency_p95_ms", h.getValueAtPercentile(95) / 1000.0)
            .put("latency_p99_ms", h.getValueAtPercentile(99) / 1000.0)
            .put("latency_max_ms", h.getMaxValue() / 1000.0)
            .put("provider_latency_ms", provider)
            .put("overhead_p50_ms", h.getValueAtPercentile(50) / 1000.0 - provider)
            .put("overhead_p99_ms", h.getValueAtPercentile(99) / 1000.0 - provider);
    if (o.stream()) {
      s.put("first_content_p50_ms", f.getValueAtPercentile(50) / 1000.0)
          .put("first_content_p99_ms", f.getValueAtPercentile(99) / 1000.0)
          .put("first_content_max_ms", f.getMaxValue() / 1000.0);
    }
    ObjectNode byStatus = s.putObject("failed_by_status");
    new TreeMap<>(failures).forEach((k, v) -> byStatus.put(String.valueOf(k), v.sum()));
    s.put("outstanding_at_end", outstanding.get());
    return s;
  }
}
