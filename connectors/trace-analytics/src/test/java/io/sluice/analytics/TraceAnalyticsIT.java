package io.sluice.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.TraceSpan;
import io.sluice.events.Usage;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.registry.RegistryHttpServer;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trace-analytics SQL file, run by Flink's MiniCluster against Sluice's embedded broker and
 * embedded schema registry, over traces written with Sluice's own serde.
 */
@Tag("integration")
class TraceAnalyticsIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  /** 2026-11-26T10:00:00Z: the hour the spans fall in. */
  private static final long HOUR = Instant.parse("2026-11-26T10:00:00Z").toEpochMilli();

  private static final long MINUTE = 60_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * With {@code root}, the same traffic as a gateway with {@code tracing.spans: root} writes it:
   * only request spans, the provider calls as their attributes; the rows must be the same.
   */
  @ParameterizedTest(name = "tracing.spans {0}")
  @ValueSource(strings = {"all", "root"})
  void
      givenSluiceTracesWhenTheSqlJobRunsThenLlmAnalyticsHoldsPerMinuteProviderFiguresAndHourlyTenantCost(
          String tracingSpans) throws Exception {
    CatalogSchemaRegistry registry = CatalogSchemaRegistry.bundled();
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        RegistryHttpServer registryServer = RegistryHttpServer.start(registry, "127.0.0.1", 0)) {
      String bootstrap = broker.bootstrapServers();
      createTopics(bootstrap, new NewTopic("llm.traces", 3, (short) 1));

      // Given the spans of three minutes of traffic across two hours, written as Sluice writes
      // them (Confluent framing, the registry's ids)
      List<TraceSpan> spans = spans();
      produce(bootstrap, registry, tracingSpans.equals("root") ? rootOnly(spans) : spans);

      // When the job's own SQL file runs, bounded at the topic's end
      Map<String, Map<String, JsonNode>> rows = runJob(bootstrap, registryServer.url());

      // Then llm.analytics holds one row per window and group, with the figures of the spans
      assertThat(rows.get("provider_minute").keySet())
          .containsExactlyInAnyOrder(
              "2026-11-26T10:00:00|openai|gpt-4o-mini",
              "2026-11-26T10:00:00|anthropic|claude-haiku",
              "2026-11-26T10:01:00|openai|gpt-4o-mini",
              "2026-11-26T11:00:00|openai|gpt-4o-mini");
      assertThat(rows.get("tenant_cost_hour").keySet())
          .containsExactlyInAnyOrder(
              "2026-11-26T10:00:00|acme",
              "2026-11-26T10:00:00|globex",
              "2026-11-26T11:00:00|globex");

      // openai in 10:00: ten calls of 100..1000 ms, two failed; p50 and p95 interpolated
      JsonNode openai = rows.get("provider_minute").get("2026-11-26T10:00:00|openai|gpt-4o-mini");
      assertThat(openai.get("window_end").asText()).isEqualTo("2026-11-26T10:01:00");
      assertThat(openai.get("requests").asLong()).isEqualTo(10);
      assertThat(openai.get("errors").asLong()).isEqualTo(2);
      assertThat(openai.get("error_ratio").asDouble()).isCloseTo(0.2, within(1e-9));
      assertThat(openai.get("latency_p50_ms").asDouble()).isCloseTo(550.0, within(1e-9));
      assertThat(openai.get("latency_p95_ms").asDouble()).isCloseTo(955.0, within(1e-9));

      JsonNode anthropic =
          rows.get("provider_minute").get("2026-11-26T10:00:00|anthropic|claude-haiku");
      assertThat(anthropic.get("requests").asLong()).isEqualTo(4);
      assertThat(anthropic.get("errors").asLong()).isZero();
      assertThat(anthropic.get("error_ratio").asDouble()).isZero();
      assertThat(anthropic.get("latency_p50_ms").asDouble()).isCloseTo(300.0, within(1e-9));
      assertThat(anthropic.get("latency_p95_ms").asDouble()).isCloseTo(300.0, within(1e-9));

      JsonNode lateMinute =
          rows.get("provider_minute").get("2026-11-26T10:01:00|openai|gpt-4o-mini");
      assertThat(lateMinute.get("requests").asLong()).isEqualTo(1);
      assertThat(lateMinute.get("error_ratio").asDouble()).isEqualTo(1.0);
      assertThat(lateMinute.get("latency_p50_ms").asDouble()).isCloseTo(250.0, within(1e-9));

      // acme in 10:00: the eight openai calls of its requests (two failed), a request span each
      JsonNode acme = rows.get("tenant_cost_hour").get("2026-11-26T10:00:00|acme");
      assertThat(acme.get("window_end").asText()).isEqualTo("2026-11-26T11:00:00");
      assertThat(acme.get("requests").asLong()).isEqualTo(expectedRequests(spans, "acme", 0));
      assertThat(acme.get("provider_calls").asLong()).isEqualTo(8);
      assertThat(acme.get("prompt_tokens").asLong()).isEqualTo(8 * 100);
      assertThat(acme.get("completion_tokens").asLong()).as("six answered").isEqualTo(6 * 20);
      assertThat(acme.get("cost_usd").asDouble())
          .isCloseTo(expectedCost(spans, "acme", 0), within(1e-9));

      JsonNode globex = rows.get("tenant_cost_hour").get("2026-11-26T10:00:00|globex");
      assertThat(globex.get("provider_calls").asLong()).isEqualTo(2 + 4 + 1);
      assertThat(globex.get("requests").asLong()).isEqualTo(expectedRequests(spans, "globex", 0));
      assertThat(globex.get("cost_usd").asDouble())
          .isCloseTo(expectedCost(spans, "globex", 0), within(1e-9));

      JsonNode globexLater = rows.get("tenant_cost_hour").get("2026-11-26T11:00:00|globex");
      assertThat(globexLater.get("provider_calls").asLong()).isEqualTo(1);
      assertThat(globexLater.get("requests").asLong()).isEqualTo(1);
      assertThat(globexLater.get("cost_usd").asDouble()).isCloseTo(0.5, within(1e-9));
    }
  }

  @ParameterizedTest(name = "tracing.spans {0}")
  @ValueSource(strings = {"all", "root"})
  void givenAGatewayThatAnsweredRequestsWhenTheSqlJobRunsThenCostPerTenantMatchesTheUsageTopic(
      String tracingSpans, @TempDir Path dir) throws Exception {
    CatalogSchemaRegistry registry = CatalogSchemaRegistry.bundled();
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        RegistryHttpServer registryServer = RegistryHttpServer.start(registry, "127.0.0.1", 0);
        LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(10, 0, 0, "500", 1, 0)))) {
      String bootstrap = broker.bootstrapServers();
      SluiceConfig config =
          SluiceConfig.parse(
              """
              kafka: {bootstrap_servers: "%s", application_id: analytics-it, state_dir: "%s"}
              topics: {partitions: 2}
              providers: {sim: {type: openai, base_url: "%s/v1"}}
              models:
                gpt:
                  deployments:
                    - {provider: sim, model: m, price_per_mtok: {input: 1.5, output: 6.0}}
              http: {port: 0}
              tracing: {spans: %s}
              """
                  .formatted(bootstrap, dir.resolve("state"), sim.url(), tracingSpans),
              "analytics-it",
              Map.of());
      Map<String, Integer> perTenant = Map.of("acme", 12, "globex", 8);
      createTopics(bootstrap);

      // Given a gateway that answered twenty requests of two tenants, each a provider call
      try (SluiceApp app = SluiceApp.start(config)) {
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> app.state() == KafkaStreams.State.RUNNING);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, Request> producer =
            new KafkaProducer<>(
                props,
                new StringSerializer(),
                ConfluentAvroSerde.forValues(Request.class, registry).serializer())) {
          int n = 0;
          for (Map.Entry<String, Integer> t : perTenant.entrySet()) {
            for (int i = 0; i < t.getValue(); i++, n++) {
              String session = "s-" + n;
              producer.send(
                  new ProducerRecord<>(
                      "llm.requests",
                      session,
                      Request.newBuilder()
                          .setRequestId("r-" + n)
                          .setSessionId(session)
                          .setTenantId(t.getKey())
                          .setModel("gpt")
                          .setMessages(
                              List.of(
                                  new ChatMessage(
                                      "user", "question number " + n, null, null, List.of())))
                          .setCreatedAt(Instant.now())
                          .build()));
            }
          }
        }
        Awaitility.await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> readAll(bootstrap, "llm.responses").size() == 20);
      }
      Map<String, Double> usageCost = new HashMap<>();
      Map<String, Integer> usageCalls = new HashMap<>();
      Deserializer<Usage> usage =
          ConfluentAvroSerde.forValues(Usage.class, registry).deserializer();
      for (ConsumerRecord<String, byte[]> rec : readAll(bootstrap, "llm.usage")) {
        Usage u = usage.deserialize("llm.usage", rec.value());
        usageCost.merge(u.getTenantId(), u.getCostUsd(), Double::sum);
        usageCalls.merge(u.getTenantId(), 1, Integer::sum);
      }
      assertThat(usageCalls).isEqualTo(perTenant);
      assertThat(usageCost.values()).allSatisfy(c -> assertThat(c).isPositive());
      if (tracingSpans.equals("root")) {
        Deserializer<TraceSpan> traces =
            ConfluentAvroSerde.forValues(TraceSpan.class, registry).deserializer();
        assertThat(readAll(bootstrap, "llm.traces"))
            .as("one request span per request, nothing else")
            .hasSize(20)
            .allSatisfy(
                rec ->
                    assertThat(traces.deserialize("llm.traces", rec.value()).getName())
                        .isEqualTo("request"));
      }

      // When the job runs over the gateway's traces
      Map<String, Map<String, JsonNode>> rows = runJob(bootstrap, registryServer.url());

      // Then every request and call is counted once, and cost per tenant is the usage topic's
      Map<String, JsonNode> tenants = rows.get("tenant_cost_hour");
      for (Map.Entry<String, Integer> t : perTenant.entrySet()) {
        List<JsonNode> hours =
            tenants.values().stream()
                .filter(r -> r.get("tenant_id").asText().equals(t.getKey()))
                .toList();
        assertThat(hours.stream().mapToLong(r -> r.get("requests").asLong()).sum())
            .isEqualTo(t.getValue().longValue());
        assertThat(hours.stream().mapToLong(r -> r.get("provider_calls").asLong()).sum())
            .isEqualTo(t.getValue().longValue());
        assertThat(hours.stream().mapToDouble(r -> r.get("cost_usd").asDouble()).sum())
            .isCloseTo(usageCost.get(t.getKey()), within(1e-12));
      }
      Collection<JsonNode> minutes = rows.get("provider_minute").values();
      assertThat(minutes)
          .allSatisfy(
              r -> {
                assertThat(r.get("provider").asText()).isEqualTo("sim");
                assertThat(r.get("model").asText()).isEqualTo("m");
                assertThat(r.get("errors").asLong()).isZero();
                assertThat(r.get("latency_p50_ms").asDouble()).isGreaterThanOrEqualTo(10.0);
              });
      assertThat(minutes.stream().mapToLong(r -> r.get("requests").asLong()).sum()).isEqualTo(20);
    }
  }

  /**
   * Runs the job's SQL file (the same text as the runner's bundled copy) on the MiniCluster,
   * bounded at the end of {@code llm.traces}, and returns {@code llm.analytics} by kind, then by
   * window start and group; every row's key is its group's first column.
   */
  private static Map<String, Map<String, JsonNode>> runJob(String bootstrap, String registryUrl)
      throws Exception {
    String sql = Files.readString(Path.of("sql", "trace-analytics.sql"), StandardCharsets.UTF_8);
    assertThat(sql)
        .as("the runner's bundled SQL is the file users run")
        .isEqualTo(TraceAnalyticsJob.bundledSql());
    Map<String, String> vars =
        TraceAnalyticsJob.variables(
            Map.of(
                "KAFKA_BOOTSTRAP",
                bootstrap,
                "SCHEMA_REGISTRY_URL",
                registryUrl,
                "GROUP_ID",
                "analytics-it-" + UUID.randomUUID(),
                "BOUNDED_MODE",
                "latest-offset"),
            Map.of());
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    TableResult result = TraceAnalyticsJob.execute(env, TraceAnalyticsJob.render(sql, vars));
    result.await(3, TimeUnit.MINUTES);

    Map<String, Map<String, JsonNode>> rows = new HashMap<>();
    rows.put("provider_minute", new HashMap<>());
    rows.put("tenant_cost_hour", new HashMap<>());
    for (ConsumerRecord<String, byte[]> rec : readAll(bootstrap, "llm.analytics")) {
      JsonNode row = JSON.readTree(rec.value());
      String kind = row.get("kind").asText();
      String group =
          kind.equals("provider_minute")
              ? row.get("provider").asText() + "|" + row.get("model").asText()
              : row.get("tenant_id").asText();
      String id = row.get("window_start").asText() + "|" + group;
      assertThat(rows).containsKey(kind);
      assertThat(rows.get(kind).put(id, row)).as("one row for %s %s", kind, id).isNull();
      assertThat(rec.key()).isEqualTo(group.split("\\|")[0]);
    }
    return rows;
  }

  /**
   * The spans: in minute 10:00, ten openai calls (100..1000 ms, the 3rd and 7th failed; eight for
   * acme, two for globex) and four anthropic calls for globex (300 ms, one with an unreadable
   * cost); in 10:01 one failed openai call for globex; in 11:00 one openai call for globex; a
   * request span per request, and admission and respond spans that the job ignores.
   */
  private static List<TraceSpan> spans() {
    List<TraceSpan> out = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String tenant = i < 8 ? "acme" : "globex";
      boolean ok = i != 2 && i != 6;
      long start = HOUR + 1_000 + i * 2_000L;
      request(out, tenant, "openai", "gpt-4o-mini", start, start + (i + 1) * 100L, ok, "0.0015");
    }
    for (int i = 0; i < 4; i++) {
      long start = HOUR + 30_000 + i * 1_000L;
      request(
          out,
          "globex",
          "anthropic",
          "claude-haiku",
          start,
          start + 300,
          true,
          i == 3 ? "n/a" : "0.002");
    }
    request(
        out,
        "globex",
        "openai",
        "gpt-4o-mini",
        HOUR + MINUTE + 5_000,
        HOUR + MINUTE + 5_250,
        false,
        "0");
    request(
        out,
        "globex",
        "openai",
        "gpt-4o-mini",
        HOUR + 60 * MINUTE + 1_000,
        HOUR + 60 * MINUTE + 1_200,
        true,
        "0.5");
    return out;
  }

  /**
   * {@code spans} as a gateway with {@code tracing.spans: root} writes them: each request span with
   * its provider.call spans folded into its attributes, the other spans left out.
   */
  private static List<TraceSpan> rootOnly(List<TraceSpan> spans) {
    Map<String, List<TraceSpan>> calls = new HashMap<>();
    spans.stream()
        .filter(s -> s.getName().equals("provider.call"))
        .forEach(s -> calls.computeIfAbsent(s.getRequestId(), k -> new ArrayList<>()).add(s));
    List<TraceSpan> out = new ArrayList<>();
    for (TraceSpan s : spans) {
      if (!s.getName().equals("request")) {
        continue;
      }
      Map<String, String> attrs = new HashMap<>(s.getAttributes());
      attrs.put("spans", "root");
      List<TraceSpan> mine = calls.getOrDefault(s.getRequestId(), List.of());
      attrs.put("provider.call.count", String.valueOf(mine.size()));
      for (int n = 1; n <= mine.size(); n++) {
        TraceSpan call = mine.get(n - 1);
        String prefix = "provider.call." + n + ".";
        call.getAttributes().forEach((k, v) -> attrs.put(prefix + k, v));
        attrs.put(prefix + "offset_ms", String.valueOf(call.getStartMs() - s.getStartMs()));
        attrs.put(prefix + "duration_ms", String.valueOf(call.getEndMs() - call.getStartMs()));
        attrs.put(prefix + "status", call.getStatus());
      }
      out.add(TraceSpan.newBuilder(s).setAttributes(attrs).build());
    }
    return out;
  }

  /** The spans of one request with one provider call. */
  private static void request(
      List<TraceSpan> out,
      String tenant,
      String provider,
      String model,
      long start,
      long end,
      boolean ok,
      String cost) {
    String requestId = UUID.randomUUID().toString();
    String traceId = UUID.randomUUID().toString().replace("-", "");
    String root = traceId.substring(0, 16);
    Map<String, String> call = new HashMap<>();
    call.put("provider", provider);
    call.put("provider_model", model);
    call.put("attempt", "1");
    call.put("prompt_tokens", "100");
    call.put("completion_tokens", ok ? "20" : "0");
    call.put("cost_usd", cost);
    out.add(
        span(traceId, root, requestId, tenant, "admission", start - 2, start - 1, true, Map.of()));
    out.add(span(traceId, root, requestId, tenant, "provider.call", start, end, ok, call));
    out.add(span(traceId, root, requestId, tenant, "respond", end, end + 1, ok, Map.of()));
    out.add(
        span(
            traceId,
            null,
            requestId,
            tenant,
            "request",
            start - 2,
            end + 1,
            ok,
            Map.of("status", ok ? "OK" : "ERROR")));
  }

  private static TraceSpan span(
      String traceId,
      String parent,
      String requestId,
      String tenant,
      String name,
      long start,
      long end,
      boolean ok,
      Map<String, String> attributes) {
    return TraceSpan.newBuilder()
        .setTraceId(traceId)
        .setSpanId(UUID.randomUUID().toString().replace("-", "").substring(0, 16))
        .setParentSpanId(parent)
        .setRequestId(requestId)
        .setSessionId("s-" + tenant)
        .setTenantId(tenant)
        .setName(name)
        .setStartMs(start)
        .setEndMs(end)
        .setStatus(ok ? "OK" : "ERROR")
        .setAttributes(new HashMap<>(attributes))
        .build();
  }

  private static long expectedRequests(List<TraceSpan> spans, String tenant, int hour) {
    return spans.stream()
        .filter(s -> s.getName().equals("request") && s.getTenantId().equals(tenant))
        .filter(s -> (s.getEndMs() - HOUR) / (60 * MINUTE) == hour)
        .count();
  }

  private static double expectedCost(List<TraceSpan> spans, String tenant, int hour) {
    return spans.stream()
        .filter(s -> s.getName().equals("provider.call") && s.getTenantId().equals(tenant))
        .filter(s -> (s.getEndMs() - HOUR) / (60 * MINUTE) == hour)
        .mapToDouble(
            s -> {
              try {
                return Double.parseDouble(s.getAttributes().get("cost_usd"));
              } catch (NumberFormatException e) {
                return 0.0;
              }
            })
        .sum();
  }

  private static void produce(
      String bootstrap, CatalogSchemaRegistry registry, List<TraceSpan> spans) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, TraceSpan> producer =
        new KafkaProducer<>(
            props,
            new StringSerializer(),
            ConfluentAvroSerde.forValues(TraceSpan.class, registry).serializer())) {
      for (TraceSpan s : spans) {
        producer.send(new ProducerRecord<>("llm.traces", s.getRequestId(), s)).get();
      }
    }
  }

  /** Creates {@code topics} and {@code llm.analytics}. */
  private static void createTopics(String bootstrap, NewTopic... topics) throws Exception {
    List<NewTopic> all = new ArrayList<>(List.of(topics));
    all.add(new NewTopic("llm.analytics", 1, (short) 1));
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(all).all().get();
    }
  }

  /** Every record of {@code topic}, up to its end offsets (the job has finished and flushed). */
  private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        assertThat(System.nanoTime())
            .as("read %s to its end within 30 s", topic)
            .isLessThan(deadline);
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
