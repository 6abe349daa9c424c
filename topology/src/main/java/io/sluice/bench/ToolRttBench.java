package io.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.sluice.tools.samples.Calculator;
import io.sluice.tools.worker.ToolQueues;
import io.sluice.tools.worker.ToolWorker;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * Round trip of the RabbitMQ leg of a tool call, as the bridge makes it: a persistent, mandatory
 * publish with confirms to the tools exchange, a quorum queue, a worker (the sample calculator, in
 * this process), and the reply on direct reply-to. Measures publish to reply.
 */
public final class ToolRttBench {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What to run: the broker, calls to time after the warm-up, and calls in flight. */
  public record Options(String amqpUri, int warmup, int calls, int inFlight) {}

  private final Options o;
  private final PrintStream progress;

  public ToolRttBench(Options o, PrintStream progress) {
    this.o = o;
    this.progress = progress;
  }

  public ObjectNode run() throws Exception {
    String exchange = "sluice.bench." + UUID.randomUUID().toString().substring(0, 8);
    ConnectionFactory f = new ConnectionFactory();
    f.setUri(o.amqpUri());
    Recorder recorder = new Recorder(3);
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    Semaphore window = new Semaphore(o.inFlight());
    AtomicLong done = new AtomicLong();
    try (ToolWorker worker =
            ToolWorker.builder(o.amqpUri())
                .exchange(exchange)
                .prefetch(64)
                .tool("calculator", new Calculator())
                .start();
        Connection c = f.newConnection("sluice-bench-tools");
        Channel ch = c.createChannel()) {
      if (!worker.tools().contains("calculator")) {
        throw new IllegalStateException("the calculator worker did not start");
      }
      ch.confirmSelect();
      ch.basicConsume(
          "amq.rabbitmq.reply-to",
          true,
          (tag, d) -> {
            Long start = sentAt.remove(d.getProperties().getCorrelationId());
            if (start != null) {
              if (done.incrementAndGet() > o.warmup()) {
                recorder.recordValue((System.nanoTime() - start) / 1000);
              }
              window.release();
            }
          },
          tag -> {});
      int total = o.warmup() + o.calls();
      long measureStart = 0;
      for (int i = 0; i < total; i++) {
        if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("no reply for 30 s: is the worker running?");
        }
        if (i == o.warmup()) {
          measureStart = System.nanoTime();
          recorder.reset();
          progress.println(
              "warm-up done (" + o.warmup() + " calls); measuring " + o.calls() + " calls");
        }
        String id = "c" + i;
        sentAt.put(id, System.nanoTime());
        ch.basicPublish(
            exchange,
            "calculator",
            true,
            new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(2)
                .correlationId(id)
                .replyTo("amq.rabbitmq.reply-to")
                .build(),
            ("{\"input\":\"" + i + "*2\"}").getBytes(StandardCharsets.UTF_8));
      }
      window.acquire(o.inFlight());
      double seconds = (System.nanoTime() - measureStart) / 1e9;
      var h = recorder.getIntervalHistogram();
      ObjectNode out =
          MAPPER
              .createObjectNode()
              .put(
                  "leg",
                  "publish (persistent, mandatory, confirms) -> quorum queue -> worker -> direct reply-to")
              .put("calls", o.calls())
              .put("warmup_calls", o.warmup())
              .put("in_flight", o.inFlight())
              .put("duration_s", seconds)
              .put("throughput_per_s", Math.round(o.calls() / seconds))
              .put("rtt_p50_ms", h.getValueAtPercentile(50) / 1000.0)
              .put("rtt_p99_ms", h.getValueAtPercentile(99) / 1000.0)
              .put("rtt_max_ms", h.getMaxValue() / 1000.0);
      ch.queueDelete(ToolQueues.queue(exchange, "calculator"));
      ch.queueDelete(ToolQueues.deadQueue(exchange, "calculator"));
      ch.exchangeDelete(exchange);
      ch.exchangeDelete(exchange + ".dlx");
      return out;
    }
  }
}
