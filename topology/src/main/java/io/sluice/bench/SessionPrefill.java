package io.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Fills a gateway with live sessions before a measurement: {@code sessions} requests, each in a
 * session of its own and with {@code use_history}, so that every answer leaves a session with its
 * history in the {@code sessions} store until {@code sessions.idle_ttl}. The prompt is one
 * deterministic question (after the {@link History} turns, if any), so after the first answer the
 * rest are cache hits when the cache is on: a million sessions in minutes, not hours. At most
 * {@code inFlight} are outstanding; it stops at {@code timeout} whatever is left, and reports how
 * many sessions it filled.
 */
public final class SessionPrefill {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final RequestParams DETERMINISTIC =
      new RequestParams(0.0, 64, null, List.of(), null, Map.of());

  /** What to fill. */
  public record Options(
      String bootstrap,
      Properties kafka,
      String requestsTopic,
      String responsesTopic,
      long sessions,
      int inFlight,
      Duration timeout,
      List<ChatMessage> history,
      String model) {}

  private final Options o;
  private final ConfluentAvroSerde<Request> requests;
  private final ConfluentAvroSerde<Response> responses;
  private final PrintStream progress;
  private final Set<String> outstanding = ConcurrentHashMap.newKeySet();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private volatile boolean receiving = true;

  public SessionPrefill(
      Options o,
      ConfluentAvroSerde<Request> requests,
      ConfluentAvroSerde<Response> responses,
      PrintStream progress) {
    this.o = o;
    this.requests = requests;
    this.responses = responses;
    this.progress = progress;
  }

  /** Sends and waits; returns the summary's {@code prefill} object. */
  public ObjectNode run() throws InterruptedException {
    String run = "prefill-" + UUID.randomUUID().toString().substring(0, 8);
    Properties p = new Properties();
    p.putAll(o.kafka());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "bench-prefill");
    Properties c = new Properties();
    c.putAll(o.kafka());
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    Semaphore window = new Semaphore(o.inFlight());
    long start = System.nanoTime();
    long deadline = start + o.timeout().toNanos();
    long sent = 0;
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
      Thread receiver =
          new Thread(() -> receive(consumer, window), "sluice-bench-receiver-prefill");
      receiver.start();
      long nextReport = start + TimeUnit.SECONDS.toNanos(5);
      while (sent < o.sessions() && System.nanoTime() < deadline) {
        if (System.nanoTime() >= nextReport) {
          report(start);
          nextReport += TimeUnit.SECONDS.toNanos(5);
        }
        if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue;
        }
        Request r = request(run, sent++);
        outstanding.add(r.getRequestId());
        producer.send(
            new ProducerRecord<>(
                o.requestsTopic(), r.getSessionId(), requests.serialize(o.requestsTopic(), r)));
      }
      producer.flush();
      while (!outstanding.isEmpty() && System.nanoTime() < deadline) {
        if (System.nanoTime() >= nextReport) {
          report(start);
          nextReport += TimeUnit.SECONDS.toNanos(5);
        }
        TimeUnit.MILLISECONDS.sleep(50);
      }
      receiving = false;
      receiver.join(5000);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return MAPPER
        .createObjectNode()
        .put("sessions_target", o.sessions())
        .put("sent", sent)
        .put("sessions_filled", ok.get())
        .put("errors", errors.get())
        .put("missing", outstanding.size())
        .put("history_messages", o.history().size())
        .put("seconds", Math.round(seconds * 10) / 10.0)
        .put("rate_per_s", Math.round(ok.get() / Math.max(seconds, 0.001)));
  }

  private Request request(String run, long n) {
    List<ChatMessage> messages = new ArrayList<>(o.history());
    messages.add(
        new ChatMessage("user", "Prefill: what is the capital of France?", null, null, List.of()));
    return Request.newBuilder()
        .setRequestId(run + "-" + n)
        .setSessionId(run + "-s" + n)
        .setTenantId("bench")
        .setModel(o.model())
        .setMessages(messages)
        .setParams(DETERMINISTIC)
        .setUseHistory(true)
        .setCreatedAt(Instant.now())
        .build();
  }

  private void receive(KafkaConsumer<String, Response> consumer, Semaphore window) {
    while (receiving) {
      for (ConsumerRecord<String, Response> rec : consumer.poll(Duration.ofMillis(50))) {
        Response r = rec.value();
        if (r == null || r.getRequestId() == null || !outstanding.remove(r.getRequestId())) {
          continue;
        }
        window.release();
        (r.getStatus() == ResponseStatus.OK ? ok : errors).incrementAndGet();
      }
    }
  }

  private void report(long start) {
    progress.printf(
        "prefill %4.0fs  sessions %,d/%,d  in flight %,d  errors %d%n",
        (System.nanoTime() - start) / 1e9,
        ok.get(),
        o.sessions(),
        outstanding.size(),
        errors.get());
  }
}
