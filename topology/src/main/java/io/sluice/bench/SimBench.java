package io.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Closed-loop load on an LLM provider endpoint (the simulator, in practice): keeps a fixed number
 * of calls in flight with the JDK's asynchronous HTTP client (no thread per call), warms up first,
 * then measures throughput and latency for a fixed time. Every loop is bounded by the duration.
 */
public final class SimBench {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What to run. */
  public record Options(
      String url,
      int inFlight,
      Duration warmup,
      Duration duration,
      boolean http2,
      boolean anthropic) {}

  private final Options o;
  private final PrintStream progress;
  private final Recorder recorder = new Recorder(3);
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private volatile boolean measuring;
  private volatile boolean stopping;

  public SimBench(Options options, PrintStream progress) {
    this.o = options;
    this.progress = progress;
  }

  /** Runs the benchmark and returns its summary as JSON. */
  public ObjectNode run() throws IOException, InterruptedException {
    ExecutorService callbacks = Executors.newFixedThreadPool(2, daemon());
    HttpClient client =
        HttpClient.newBuilder()
            .executor(callbacks)
            .version(o.http2() ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    String path = o.anthropic() ? "/v1/messages" : "/v1/chat/completions";
    String body =
        o.anthropic()
            ? "{\"model\":\"bench\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"benchmark prompt\"}]}"
            : "{\"model\":\"bench\",\"messages\":[{\"role\":\"user\",\"content\":\"benchmark prompt\"}]}";
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(o.url() + path))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    NettyLoadClient netty = null;
    try {
      CountDownLatch drained = new CountDownLatch(o.inFlight());
      if (o.http2()) {
        for (int i = 0; i < o.inFlight(); i++) {
          send(client, request, drained);
        }
      } else {
        netty = new NettyLoadClient(URI.create(o.url() + path), body, this::completed);
        int opened = netty.start(o.inFlight(), i -> errors.incrementAndGet());
        inFlight.set(opened);
        for (int i = 0; i < o.inFlight(); i++) {
          drained.countDown();
        }
      }
      long warmupEnd = System.nanoTime() + o.warmup().toNanos();
      report("warm-up", warmupEnd, o.warmup());
      post(client, "/admin/reset");
      recorder.reset();
      ok.set(0);
      errors.set(0);
      measuring = true;
      long start = System.nanoTime();
      report("measure", start + o.duration().toNanos(), o.duration());
      long elapsedNanos = System.nanoTime() - start;
      measuring = false;
      JsonNode simStats = get(client, "/stats");
      stopping = true;
      drained.await(60, TimeUnit.SECONDS);
      Histogram h = recorder.getIntervalHistogram();
      double seconds = elapsedNanos / 1e9;
      ObjectNode summary =
          MAPPER
              .createObjectNode()
              .put("url", o.url())
              .put(
                  "protocol",
                  o.http2() ? "HTTP/2 (h2c upgrade, JDK client)" : "HTTP/1.1 (Netty client)")
              .put("format", o.anthropic() ? "anthropic" : "openai")
              .put("in_flight_target", o.inFlight())
              .put("warmup_s", o.warmup().toSeconds())
              .put("duration_s", seconds)
              .put("completed", ok.get())
              .put("errors", errors.get())
              .put("throughput_rps", Math.round(ok.get() / seconds))
              .put("latency_p50_ms", h.getValueAtPercentile(50) / 1000.0)
              .put("latency_p99_ms", h.getValueAtPercentile(99) / 1000.0)
              .put("latency_max_ms", h.getMaxValue() / 1000.0);
      summary.set("simulator_stats", simStats);
      return summary;
    } finally {
      stopping = true;
      if (netty != null) {
        netty.close();
      }
      callbacks.shutdownNow();
    }
  }

  private void send(HttpClient client, HttpRequest request, CountDownLatch drained) {
    if (stopping) {
      drained.countDown();
      return;
    }
    inFlight.incrementAndGet();
    long start = System.nanoTime();
    client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (resp, e) -> {
              inFlight.decrementAndGet();
              completed(e == null ? resp.statusCode() : 0, System.nanoTime() - start);
              send(client, request, drained);
            });
  }

  private void completed(int status, long latencyNanos) {
    if (measuring) {
      if (status == 200) {
        ok.incrementAndGet();
        recorder.recordValue(latencyNanos / 1000);
      } else {
        errors.incrementAndGet();
      }
    }
  }

  private void report(String phase, long endNanos, Duration total) throws InterruptedException {
    long lastOk = ok.get();
    long lastT = System.nanoTime();
    while (System.nanoTime() < endNanos) {
      TimeUnit.MILLISECONDS.sleep(
          Math.min(5000, Math.max(1, (endNanos - System.nanoTime()) / 1_000_000)));
      long now = System.nanoTime();
      long done = ok.get();
      progress.printf(
          "%s: %4.0fs of %ds  completed=%d  rate=%.0f/s  in_flight=%d  errors=%d%n",
          phase,
          (total.toNanos() - (endNanos - now)) / 1e9,
          total.toSeconds(),
          done,
          (done - lastOk) / ((now - lastT) / 1e9),
          inFlight.get(),
          errors.get());
      lastOk = done;
      lastT = now;
    }
  }

  private JsonNode get(HttpClient client, String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(o.url() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return MAPPER.readTree(r.body());
  }

  private void post(HttpClient client, String path) throws IOException, InterruptedException {
    client.send(
        HttpRequest.newBuilder(URI.create(o.url() + path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return r -> {
      Thread t = new Thread(r, "sluice-bench-http");
      t.setDaemon(true);
      return t;
    };
  }
}
