package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The gateway on a real embedded broker, calling simulators over real HTTP: one that answers, one
 * that hangs past the timeout, one that always answers 500.
 */
@Tag("integration")
class GatewayIT {
  private static EmbeddedKafkaBroker broker;
  private static LlmSimulator sim;
  private static LlmSimulator hanging;
  private static LlmSimulator failing;
  private static SluiceApp app;
  private static KafkaProducer<byte[], byte[]> producer;
  private static final ConfluentAvroSerde<Request> REQUESTS =
      ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled());

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
    sim =
        LlmSimulator.start(LlmSimulator.Options.loopback(0, new SimFaults(20, 10, 0, "500", 1, 0)));
    hanging =
        LlmSimulator.start(LlmSimulator.Options.loopback(0, new SimFaults(0, 0, 1, "hang", 1, 0)));
    failing =
        LlmSimulator.start(LlmSimulator.Options.loopback(0, new SimFaults(0, 0, 1, "500", 1, 0)));
    Path state = Files.createTempDirectory("sluice-it-state");
    String yaml =
        """
        kafka:
          bootstrap_servers: %s
          application_id: gateway-it
          state_dir: %s
        topics:
          partitions: 4
        providers:
          ok: {type: openai, base_url: "%s/v1", api_key: k, max_concurrency: 64}
          hang: {type: openai, base_url: "%s/v1", timeout_ms: 1000}
          fail: {type: openai, base_url: "%s/v1"}
        models:
          gpt: {deployments: [{provider: ok, model: sim-gpt}]}
          slow: {deployments: [{provider: hang, model: sim-hang}]}
          broken: {deployments: [{provider: fail, model: sim-500}]}
          flaky: {deployments: [{provider: fail, model: sim-500}], retries: 1, fallbacks: [gpt]}
        http: {port: 0}
        # the tenant admission stage in, with a budget too large to refuse anything: the alert rules
        # watch its metrics, which exist only where the stage runs and a tenant has a budget
        admission: {limits: "on"}
        tenants:
          it: {budget_usd: 1000000}
        """
            .formatted(broker.bootstrapServers(), state, sim.url(), hanging.url(), failing.url());
    SluiceConfig config = SluiceConfig.parse(yaml, "gateway-it.yaml", Map.of());
    app = Topics.startGateway(broker.bootstrapServers(), config);
    producer = Topics.bytesProducer(broker.bootstrapServers());
  }

  @AfterAll
  static void stop() {
    producer.close();
    app.close();
    sim.close();
    hanging.close();
    failing.close();
    broker.close();
  }

  private static Request request(String id, String session, String model, String text) {
    return Request.newBuilder()
        .setRequestId(id)
        .setSessionId(session)
        .setTenantId("it")
        .setModel(model)
        .setMessages(List.of(new ChatMessage("user", text, null, null, List.of())))
        .setCreatedAt(Instant.now())
        .build();
  }

  private static void send(String key, Request r) {
    producer.send(
        new ProducerRecord<>(
            "llm.requests",
            key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            REQUESTS.serialize("llm.requests", r)));
  }

  /**
   * Waits until every id in {@code ids} has a response, then returns all responses of those ids.
   */
  private static List<Response> awaitResponses(List<String> ids, Duration timeout) {
    try (Topics.Reader<Response> reader =
        Topics.responses(broker.bootstrapServers(), "llm.responses")) {
      List<Response> mine = new ArrayList<>();
      await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                reader.poll();
                mine.clear();
                reader.values().stream()
                    .filter(r -> ids.contains(r.getRequestId()))
                    .forEach(mine::add);
                return mine.stream().map(Response::getRequestId).distinct().count() == ids.size();
              });
      // read a little longer: a duplicate would show up now
      long until = System.nanoTime() + Duration.ofMillis(500).toNanos();
      while (System.nanoTime() < until) {
        reader.poll();
      }
      return reader.values().stream().filter(r -> ids.contains(r.getRequestId())).toList();
    }
  }

  @Test
  void shouldAnswerAThousandRequestsOverFiftySessionsExactlyOnceAndInOrder() {
    // Given 1,000 requests over 50 sessions, keyed by session
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String session = "load-" + (i % 50);
      Request r = request("load-" + i, session, "gpt", "question " + i);
      ids.add(r.getRequestId());
      send(session, r);
    }
    producer.flush();

    // When the gateway answers them
    List<Response> responses = awaitResponses(ids, Duration.ofSeconds(120));

    // Then each request has exactly one OK response with the simulator's content, in session order
    assertThat(responses).hasSize(1000);
    assertThat(responses).extracting(Response::getRequestId).doesNotHaveDuplicates();
    Map<String, List<Integer>> order = new HashMap<>();
    for (Response r : responses) {
      int n = Integer.parseInt(r.getRequestId().substring("load-".length()));
      assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK);
      assertThat(r.getContent()).isEqualTo("Echo: question " + n);
      assertThat(r.getProvider()).isEqualTo("ok");
      order.computeIfAbsent(r.getSessionId(), s -> new ArrayList<>()).add(n);
    }
    assertThat(order).hasSize(50);
    order.values().forEach(ns -> assertThat(ns).isSorted());
  }

  @Test
  void shouldSendTheFirstTurnsQuestionAndAnswerWithTheSecondTurn() throws Exception {
    send("history", request("h-1", "history", "gpt", "What is Kafka?"));
    producer.flush();
    awaitResponses(List.of("h-1"), Duration.ofSeconds(60));
    send("history", request("h-2", "history", "gpt", "And Kafka Streams?"));
    producer.flush();
    awaitResponses(List.of("h-2"), Duration.ofSeconds(60));

    JsonNode secondCall = null;
    for (JsonNode r : recorded(sim)) {
      JsonNode msgs = r.get("body").get("messages");
      if (msgs.get(msgs.size() - 1).get("content").asText().equals("And Kafka Streams?")) {
        secondCall = msgs;
      }
    }
    assertThat(secondCall).isNotNull();
    List<String> turns = new ArrayList<>();
    secondCall.forEach(m -> turns.add(m.get("role").asText() + ": " + m.get("content").asText()));
    assertThat(turns)
        .containsExactly(
            "user: What is Kafka?", "assistant: Echo: What is Kafka?", "user: And Kafka Streams?");
  }

  private static JsonNode recorded(LlmSimulator s) throws Exception {
    okhttp3.OkHttpClient http = new okhttp3.OkHttpClient();
    try (okhttp3.Response r =
        http.newCall(new okhttp3.Request.Builder().url(s.url() + "/admin/requests").build())
            .execute()) {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body().string());
    }
  }

  @Test
  void shouldDeadLetterGarbageRejectBadRequestsAndKeepServing() {
    // Given a valid request, garbage bytes, a request without session, one for an unknown model,
    // another valid one
    send("bad-1", request("bad-before", "bad-1", "gpt", "before"));
    producer.send(
        new ProducerRecord<>(
            "llm.requests", "junk".getBytes(), new byte[] {0, 0, 0, 0, 1, (byte) 0xff, 7}));
    send(null, request("bad-nosession", null, "gpt", "x"));
    send("bad-2", request("bad-model", "bad-2", "gpt-17", "x"));
    send("bad-3", request("bad-after", "bad-3", "gpt", "after"));
    producer.flush();

    List<Response> responses =
        awaitResponses(
            List.of("bad-before", "bad-nosession", "bad-model", "bad-after"),
            Duration.ofSeconds(60));

    Map<String, Response> byId = new HashMap<>();
    responses.forEach(r -> byId.put(r.getRequestId(), r));
    assertThat(byId.get("bad-before").getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(byId.get("bad-after").getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(byId.get("bad-nosession").getStatus()).isEqualTo(ResponseStatus.REJECTED);
    assertThat(byId.get("bad-nosession").getError().getMessage())
        .isEqualTo("session_id is required");
    assertThat(byId.get("bad-model").getStatus()).isEqualTo(ResponseStatus.REJECTED);
    assertThat(byId.get("bad-model").getError().getCode()).isEqualTo("unknown_model");
    List<ConsumerRecord<byte[], byte[]>> dead =
        Topics.readRaw(broker.bootstrapServers(), "llm.dlq", 1, Duration.ofSeconds(30));
    assertThat(dead)
        .anySatisfy(
            d -> {
              assertThat(new String(d.key())).isEqualTo("junk");
              assertThat(new String(d.headers().lastHeader("sluice.error.code").value()))
                  .isEqualTo("deserialization");
              assertThat(new String(d.headers().lastHeader("sluice.error.message").value()))
                  .contains("cannot");
              assertThat(new String(d.headers().lastHeader("sluice.source.topic").value()))
                  .isEqualTo("llm.requests");
              assertThat(d.headers().lastHeader("sluice.source.offset")).isNotNull();
            });
  }

  @Test
  void shouldAnswerTimeoutWhenTheProviderHangsAndCarryTheStatusWhenItFails() {
    send("t-1", request("hang-1", "t-1", "slow", "are you there?"));
    send("t-2", request("fail-1", "t-2", "broken", "are you ok?"));
    producer.flush();

    List<Response> responses = awaitResponses(List.of("hang-1", "fail-1"), Duration.ofSeconds(60));

    Map<String, Response> byId = new HashMap<>();
    responses.forEach(r -> byId.put(r.getRequestId(), r));
    Response hang = byId.get("hang-1");
    assertThat(hang.getStatus()).isEqualTo(ResponseStatus.ERROR);
    assertThat(hang.getError().getCode()).isEqualTo("timeout");
    assertThat(hang.getLatencyMs()).isGreaterThanOrEqualTo(1000);
    Response fail = byId.get("fail-1");
    assertThat(fail.getStatus()).isEqualTo(ResponseStatus.ERROR);
    assertThat(fail.getError().getHttpStatus()).isEqualTo(500);
    assertThat(fail.getError().getMessage()).contains("HTTP 500");
    assertThat(fail.getContent()).isNull();
  }

  private static String scrape() throws Exception {
    okhttp3.OkHttpClient http = new okhttp3.OkHttpClient();
    try (okhttp3.Response r =
        http.newCall(new okhttp3.Request.Builder().url(app.adminUrl() + "/metrics").build())
            .execute()) {
      assertThat(r.code()).isEqualTo(200);
      return r.body().string();
    }
  }

  /** The sum of every sample of {@code metric} whose labels contain {@code labelPart}. */
  private static double sum(String text, String metric, String labelPart) {
    return text.lines()
        .filter(l -> l.startsWith(metric + "{") && l.contains(labelPart))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void shouldMoveTheCountersOnMetricsAndReportHealth() throws Exception {
    String before = scrape();
    send("metrics", request("m-1", "metrics", "gpt", "count me"));
    producer.flush();
    awaitResponses(List.of("m-1"), Duration.ofSeconds(60));

    String after = scrape();

    assertThat(sum(after, "sluice_requests_total", "status=\"OK\""))
        .isGreaterThan(sum(before, "sluice_requests_total", "status=\"OK\""));
    assertThat(sum(after, "sluice_provider_call_duration_seconds_count", "provider=\"ok\""))
        .isGreaterThan(
            sum(before, "sluice_provider_call_duration_seconds_count", "provider=\"ok\""));
    assertThat(sum(after, "sluice_tokens_total", "kind=\"prompt\""))
        .isGreaterThan(sum(before, "sluice_tokens_total", "kind=\"prompt\""));
    assertThat(after)
        .contains("sluice_request_duration_seconds_bucket")
        .contains("sluice_calls_in_flight")
        .contains("sluice_circuit_state{deployment=\"ok/sim-gpt\"}")
        .contains("sluice_deployment_calls_in_flight")
        .contains("kafka_stream_");
    okhttp3.OkHttpClient http = new okhttp3.OkHttpClient();
    try (okhttp3.Response r =
        http.newCall(new okhttp3.Request.Builder().url(app.adminUrl() + "/health").build())
            .execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).contains("RUNNING");
    }
  }

  @Test
  void shouldExportEveryMetricTheDashboardAndTheAlertRulesUse() throws Exception {
    // Given traffic that makes every series exist: a cache hit, a dead letter, a retry, a fallback
    Request cached = request("ops-c1", "ops-c1", "gpt", "same question");
    cached.setParams(
        new io.sluice.events.RequestParams(0.0, null, null, List.of(), null, Map.of()));
    send("ops-c1", cached);
    producer.flush();
    awaitResponses(List.of("ops-c1"), Duration.ofSeconds(60));
    Request again = request("ops-c2", "ops-c2", "gpt", "same question");
    again.setParams(cached.getParams());
    send("ops-c2", again);
    send("ops-f", request("ops-f", "ops-f", "flaky", "fall back please"));
    producer.send(
        new ProducerRecord<>("llm.requests", "ops-dlq".getBytes(), "not avro".getBytes()));
    producer.flush();
    awaitResponses(List.of("ops-c2", "ops-f"), Duration.ofSeconds(60));

    // When /metrics is scraped
    java.util.Set<String> exported = new java.util.HashSet<>();
    scrape()
        .lines()
        .filter(l -> !l.startsWith("#") && !l.isBlank())
        .forEach(l -> exported.add(l.split("[{ ]")[0]));

    // Then every metric the ops files name is there
    String dashboard =
        java.nio.file.Files.readString(
            java.nio.file.Path.of("../ops/grafana/dashboards/sluice.json"));
    String alerts =
        java.nio.file.Files.readString(java.nio.file.Path.of("../ops/prometheus/alerts.yml"));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\b((?:sluice|kafka)_[a-z_]+)")
            .matcher(dashboard + alerts);
    java.util.Set<String> used = new java.util.TreeSet<>();
    while (m.find()) {
      used.add(m.group(1));
    }
    assertThat(used)
        .contains(
            "sluice_requests_total",
            "sluice_circuit_state",
            "kafka_consumer_fetch_manager_records_lag_max");
    assertThat(used)
        .allSatisfy(name -> assertThat(exported).as("exported by the gateway").contains(name));
  }
}
