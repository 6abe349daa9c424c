package io.sluice.it;

import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.Response;
import io.sluice.events.Usage;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Two gateway instances of one application in the test's JVM, on an embedded broker, with 4
 * partitions: a tenant's admission task runs on one of them, its sessions on both. The test gives
 * the {@code providers}, {@code models} and {@code tenants} (its simulators run over loopback
 * HTTP); the response cache is off, so that every admitted request is a provider call. It produces
 * Avro requests keyed by session and reads {@code llm.responses} and {@code llm.usage}
 * read_committed. Test thread only.
 */
final class TwoGateways implements AutoCloseable {
  private static final String YAML =
      """
      kafka: {bootstrap_servers: "%s", application_id: %s, state_dir: "%s"}
      topics: {partitions: 4}
      cache: {enabled: false}
      http: {port: 0}
      %s
      """;

  private final EmbeddedKafkaBroker broker;
  private final Path dir;
  private final String applicationId;
  private final String body;
  private final List<SluiceApp> running = new ArrayList<>();
  private final KafkaProducer<String, Request> producer;
  private final Topics.Reader<Response> responses;

  private TwoGateways(EmbeddedKafkaBroker broker, Path dir, String applicationId, String body) {
    this.broker = broker;
    this.dir = dir;
    this.applicationId = applicationId;
    this.body = body;
    this.producer =
        new KafkaProducer<>(
            Topics.producerProps(broker.bootstrapServers()),
            new StringSerializer(),
            ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled())
                .serializer());
    this.responses = Topics.responses(broker.bootstrapServers(), "llm.responses");
  }

  /**
   * A broker and two instances, running and warm: a first request of {@code warmTenant} answered
   * (its model {@code gpt}), so the tasks and the transactions are set up before the test counts.
   */
  static TwoGateways start(Path dir, String applicationId, String body, String warmTenant)
      throws Exception {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
    TwoGateways g;
    try {
      g = new TwoGateways(broker, dir, applicationId, body);
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    try {
      g.startInstances("one", "two");
      g.send(request("warm", "warm", warmTenant));
      g.flush();
      g.awaitAnswers("warm", 1, Duration.ofSeconds(60));
    } catch (Exception | Error e) {
      g.close();
      throw e;
    }
    return g;
  }

  /**
   * Starts instances named {@code names} (their state under {@code dir/<name>}), waits for them.
   */
  void startInstances(String... names) throws Exception {
    List<SluiceApp> started = new ArrayList<>();
    for (String name : names) {
      SluiceApp app = SluiceApp.start(config(name));
      running.add(app);
      started.add(app);
    }
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> started.stream().allMatch(a -> a.state() == KafkaStreams.State.RUNNING));
  }

  SluiceConfig config(String name) {
    return SluiceConfig.parse(
        YAML.formatted(bootstrap(), applicationId, dir.resolve(name), body), "it.yaml", Map.of());
  }

  /** Closes every running instance. */
  void stopInstances() {
    running.forEach(SluiceApp::close);
    running.clear();
  }

  /** Deletes the local state of every instance (stopped first). */
  void deleteState() throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir)) {
          Files.delete(p);
        }
      }
    }
  }

  String bootstrap() {
    return broker.bootstrapServers();
  }

  /** A request of {@code tenant} to the model {@code gpt}: "question {@code id}", no history. */
  static Request request(String id, String session, String tenant) {
    return request(id, session, tenant, "gpt", "question " + id, null);
  }

  static Request request(
      String id, String session, String tenant, String model, String content, Integer maxTokens) {
    return Request.newBuilder()
        .setRequestId(id)
        .setSessionId(session)
        .setTenantId(tenant)
        .setModel(model)
        .setUseHistory(false)
        .setMessages(List.of(new ChatMessage("user", content, null, null, List.of())))
        .setParams(
            maxTokens == null ? null : RequestParams.newBuilder().setMaxTokens(maxTokens).build())
        .setCreatedAt(Instant.now())
        .build();
  }

  /** Produces {@code r} to {@code llm.requests}, keyed by its session. */
  void send(Request r) {
    producer.send(new ProducerRecord<>("llm.requests", r.getSessionId(), r));
  }

  void flush() {
    producer.flush();
  }

  /** Waits until at least {@code n} responses to request ids starting with {@code prefix}. */
  void awaitAnswers(String prefix, int n, Duration timeout) {
    await()
        .atMost(timeout)
        .until(
            () ->
                responses.poll().stream().filter(r -> r.getRequestId().startsWith(prefix)).count()
                    >= n);
  }

  /** The responses read so far to request ids starting with {@code prefix}. */
  List<Response> responses(String prefix) {
    return responses.values().stream().filter(r -> r.getRequestId().startsWith(prefix)).toList();
  }

  /** Sends {@code r} alone, waits for its answer and returns it. */
  Response call(Request r, Duration timeout) {
    send(r);
    flush();
    awaitAnswers(r.getRequestId(), 1, timeout);
    return responses.values().stream()
        .filter(x -> x.getRequestId().equals(r.getRequestId()))
        .findFirst()
        .orElseThrow();
  }

  /** Every usage record of {@code tenant} committed so far (the topic read to its end). */
  List<Usage> usage(String tenant) {
    try (Topics.Reader<Usage> usage = new Topics.Reader<>(bootstrap(), "llm.usage", Usage.class)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                usage.poll();
                return usage.caughtUp();
              });
      return usage.values().stream().filter(u -> tenant.equals(u.getTenantId())).toList();
    }
  }

  /** The counter {@code name} with {@code tags}, summed over the running instances. */
  double counter(String name, String... tags) {
    double sum = 0;
    for (SluiceApp app : running) {
      Counter c = app.metrics().find(name).tags(tags).counter();
      sum += c == null ? 0 : c.count();
    }
    return sum;
  }

  /** The gauge {@code name} with {@code tags} on each running instance that has it. */
  List<Double> gauges(String name, String... tags) {
    List<Double> out = new ArrayList<>();
    for (SluiceApp app : running) {
      Gauge g = app.metrics().find(name).tags(tags).gauge();
      if (g != null) {
        out.add(g.value());
      }
    }
    return out;
  }

  @Override
  public void close() {
    stopInstances();
    responses.close();
    producer.close();
    broker.close();
  }
}
