package io.sluice.it;

import static org.awaitility.Awaitility.await;

import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.TraceSpan;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The chaos tests' steady load and the check of what came back. A ticker sends {@code perSecond}
 * requests a second, round-robin over {@code sessions} sessions keyed by session (so a session's
 * turns are in request order on one partition), up to {@code maxRequests}. A request counts as
 * accepted once the broker acknowledged it. The responses topic is read from the beginning
 * (read_committed) on the test thread; {@link #finish} waits until every accepted request has an
 * answer, keeps reading for a quiet period to catch duplicates, and prints one summary line (also
 * appended to {@code target/chaos-summary.txt}).
 */
final class ChaosLoad implements AutoCloseable {
  static final Path SUMMARY = Path.of("target/chaos-summary.txt");

  /** The shape of the load; {@code timeoutMs} is each request's {@code timeout_ms}. */
  record Options(int sessions, int perSecond, int maxRequests, String model, long timeoutMs) {}

  /** What a run came to. {@code statuses} counts first answers by status (and error code). */
  record Summary(
      String scenario,
      int accepted,
      int answered,
      int lost,
      int duplicated,
      int outOfOrder,
      int failedSends,
      Map<String, Integer> statuses,
      String details) {
    String line() {
      return "CHAOS %s: %s requests=%d answered=%d lost=%d duplicated=%d out_of_order=%d send_failures=%d statuses=%s"
          .formatted(
              scenario,
              details,
              accepted,
              answered,
              lost,
              duplicated,
              outOfOrder,
              failedSends,
              statuses);
    }
  }

  private final String scenario;
  private final String bootstrap;
  private final Options options;
  private final KafkaProducer<String, Request> producer;
  private final Topics.Reader<Response> reader;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final Set<String> accepted = ConcurrentHashMap.newKeySet();
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger failedSends = new AtomicInteger();
  private final long startedNanos = System.nanoTime();
  private int read;
  private final Map<String, Integer> answers = new HashMap<>();
  private final Map<String, Response> first = new LinkedHashMap<>();

  private ChaosLoad(String scenario, String bootstrap, Options options) {
    this.scenario = scenario;
    this.bootstrap = bootstrap;
    this.options = options;
    Map<String, Object> props = new HashMap<>(Topics.producerProps(bootstrap));
    // Ride out a broker restart: keep retrying instead of failing the send, and keep the known
    // partitions when every broker is gone (rebootstrapping forgets them, and each send would
    // then block for max.block.ms instead of being buffered).
    props.put("delivery.timeout.ms", "600000");
    props.put("metadata.recovery.strategy", "none");
    this.producer =
        new KafkaProducer<>(
            props,
            new StringSerializer(),
            ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled())
                .serializer());
    this.reader = Topics.responses(bootstrap, "llm.responses");
  }

  /** Starts sending at once. */
  static ChaosLoad start(String scenario, String bootstrap, Options options) {
    ChaosLoad load = new ChaosLoad(scenario, bootstrap, options);
    load.ticker.scheduleAtFixedRate(load::sendDue, 0, 100, TimeUnit.MILLISECONDS);
    return load;
  }

  /** Sends what the rate allows by now (a late tick catches up), up to maxRequests. */
  private void sendDue() {
    long due =
        Math.min(
            options.maxRequests(),
            Duration.ofNanos(System.nanoTime() - startedNanos).toMillis()
                    * options.perSecond()
                    / 1000
                + 1);
    while (sent.get() < due) {
      int seq = sent.getAndIncrement();
      int s = seq % options.sessions();
      int turn = seq / options.sessions();
      String session = scenario + "-s" + s;
      String id = session + "-" + turn;
      Request r =
          Request.newBuilder()
              .setRequestId(id)
              .setSessionId(session)
              .setTenantId("chaos")
              .setModel(options.model())
              .setMessages(
                  List.of(
                      new ChatMessage(
                          "user", "turn " + turn + " of " + session, null, null, List.of())))
              .setCreatedAt(Instant.now())
              .setTimeoutMs(options.timeoutMs())
              .build();
      try {
        producer.send(
            new ProducerRecord<>("llm.requests", session, r),
            (md, e) -> {
              if (e == null) {
                accepted.add(id);
              } else {
                failedSends.incrementAndGet();
              }
            });
      } catch (RuntimeException e) { // an exception would end the ticker silently
        failedSends.incrementAndGet();
      }
    }
  }

  private void stopSending() {
    ticker.shutdown(); // cancels the ticks; the one running ends its sends
    try {
      ticker.awaitTermination(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.flush(); // every send acknowledged or failed, so accepted is final
  }

  /** Requests handed to the producer so far (acknowledged or not). */
  int sent() {
    return Math.min(sent.get(), options.maxRequests());
  }

  /** Reads what arrived; returns how many distinct requests of this load have an answer. */
  int answered() {
    List<ConsumerRecord<String, Response>> records = reader.records;
    reader.poll();
    for (; read < records.size(); read++) {
      Response r = records.get(read).value();
      if (r.getRequestId().startsWith(scenario + "-s")) {
        answers.merge(r.getRequestId(), 1, Integer::sum);
        first.putIfAbsent(r.getRequestId(), r);
      }
    }
    return first.size();
  }

  /**
   * Waits until {@code more} requests beyond those answered now have an answer. The answers already
   * committed are read first, so the new ones were written after this call: by an instance that is
   * running now.
   */
  void awaitProgress(int more, Duration timeout) {
    // The ends as they are now, once: while the load runs, new answers are committed all the time,
    // so a moment when every partition is at its moving end may not come within the timeout (the
    // flake of ChaosRebalanceIT: one partition 2 records behind its end, a different one each
    // time); what is committed now is what must be read first.
    java.util.concurrent.atomic.AtomicReference<Map<org.apache.kafka.common.TopicPartition, Long>>
        marks = new java.util.concurrent.atomic.AtomicReference<>();
    try {
      await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptionsInstanceOf(org.apache.kafka.common.errors.TimeoutException.class)
          .until(
              () -> {
                if (marks.get() == null) {
                  marks.set(reader.ends());
                }
                answered();
                return reader.reached(marks.get());
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "the responses were not read up to their end: " + reader.positions(), e);
    }
    int target = answered() + more;
    await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> answered() >= target);
    progress("answering");
  }

  /** Prints where the load stands (seconds since start, sent, accepted, answered). */
  void progress(String what) {
    System.out.printf(
        "chaos %s %s t=%ds sent=%d accepted=%d answered=%d: %s%n",
        scenario,
        java.time.LocalTime.now().withNano(0),
        Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds(),
        sent(),
        accepted.size(),
        answered(),
        what);
  }

  /** Waits until all {@code maxRequests} have been handed to the producer. */
  void awaitAllSent(Duration timeout) {
    await().atMost(timeout).until(() -> sent() >= options.maxRequests());
  }

  /** {@link #awaitAllAnswered} and then {@link #report}. */
  Summary finish(Duration timeout, Duration quiet, String details) {
    awaitAllAnswered(timeout, quiet);
    return report(details);
  }

  /**
   * Stops sending, waits until every accepted request has an answer and reads on for {@code quiet}
   * (a repeat would show up there).
   */
  void awaitAllAnswered(Duration timeout, Duration quiet) {
    stopSending();
    progress("load stopped");
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              answered();
              return first.keySet().containsAll(accepted);
            });
    progress("all answered");
    long quietUntil = System.nanoTime() + quiet.toNanos();
    while (System.nanoTime() < quietUntil) {
      answered();
    }
  }

  /** Prints the summary line, appends it to {@link #SUMMARY} and returns it. */
  Summary report(String details) {
    Summary s = summary(details + " failed_provider_calls=" + failedProviderCalls());
    System.out.println(s.line());
    try {
      Files.createDirectories(SUMMARY.toAbsolutePath().getParent());
      Files.writeString(
          SUMMARY,
          Instant.now() + " " + s.line() + System.lineSeparator(),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return s;
  }

  private Summary summary(String details) {
    answered();
    int lost = (int) accepted.stream().filter(id -> !first.containsKey(id)).count();
    int duplicated = answers.values().stream().mapToInt(n -> n - 1).sum();
    Map<String, Integer> statuses = new TreeMap<>();
    for (Response r : first.values()) {
      String key =
          r.getError() == null
              ? r.getStatus().name()
              : r.getStatus() + ":" + r.getError().getCode();
      statuses.merge(key, 1, Integer::sum);
    }
    long seconds = Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds();
    long[] latencies = first.values().stream().mapToLong(Response::getLatencyMs).sorted().toArray();
    String latency =
        latencies.length == 0
            ? "-"
            : "%d/%d/%d"
                .formatted(
                    latencies[latencies.length / 2],
                    latencies[(int) (latencies.length * 0.99)],
                    latencies[latencies.length - 1]);
    return new Summary(
        scenario,
        accepted.size(),
        (int) accepted.stream().filter(first::containsKey).count(),
        lost,
        duplicated,
        outOfOrder(),
        failedSends.get(),
        statuses,
        "%s sessions=%d rate=%d/s seconds=%d latency_ms_p50/p99/max=%s"
            .formatted(details, options.sessions(), options.perSecond(), seconds, latency));
  }

  /**
   * The failed provider calls of this load's answers, by error code and HTTP status, from their
   * {@code provider.call} spans (the attempts of the completion that answered; a call whose
   * completion a crash lost has no span).
   */
  private Map<String, Integer> failedProviderCalls() {
    Map<String, Integer> failed = new TreeMap<>();
    try (Topics.Reader<TraceSpan> spans =
        new Topics.Reader<>(bootstrap, "llm.traces", TraceSpan.class)) {
      int empty = 0;
      for (int i = 0; i < 600 && empty < 3; i++) { // until three polls in a row bring nothing
        int before = spans.records.size();
        spans.poll();
        empty = spans.records.size() == before ? empty + 1 : 0;
      }
      for (TraceSpan span : spans.values()) {
        if (span.getName().equals("provider.call")
            && span.getStatus().equals("ERROR")
            && span.getRequestId().startsWith(scenario + "-s")) {
          Map<String, String> a = span.getAttributes();
          String key =
              a.get("error_code")
                  + (a.containsKey("http_status") ? ":" + a.get("http_status") : "");
          failed.merge(key, 1, Integer::sum);
        }
      }
    }
    return failed;
  }

  /** First answers that came after the answer to a later turn of the same session. */
  private int outOfOrder() {
    Map<String, Integer> lastTurn = new HashMap<>();
    Set<String> seen = new HashSet<>();
    int bad = 0;
    for (ConsumerRecord<String, Response> rec : reader.records) {
      Response r = rec.value();
      String id = r.getRequestId();
      if (!id.startsWith(scenario + "-s") || !seen.add(id)) {
        continue; // another load's, or a repeat (counted as a duplicate)
      }
      int turn = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
      Integer before = lastTurn.put(r.getSessionId(), turn);
      if (before != null && turn < before) {
        bad++;
      }
    }
    return bad;
  }

  /** The first answer of each request, in the order they came. */
  Collection<Response> firstAnswers() {
    return new ArrayList<>(first.values());
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    producer.close(Duration.ofSeconds(10));
    reader.close();
  }
}
