package io.sluice.topology;

import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dispatch.DispatchJob;
import io.sluice.events.ChatMessage;
import io.sluice.events.ErrorInfo;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.TokenUsage;
import io.sluice.events.TraceSpan;
import io.sluice.events.Usage;
import io.sluice.internal.Attempt;
import io.sluice.internal.Completion;
import io.sluice.routing.ModelCatalog;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.registry.SchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** A TopologyTestDriver on the real topology, with a recording dispatcher and a test clock. */
final class TopologyFixture implements AutoCloseable {
  static final String CONFIG =
      """
      topics:
        reply_topics: [door-replies, door-a, door-b, other-door]
      providers:
        sim: {type: openai, base_url: "http://127.0.0.1:1/v1"}
      models:
        gpt:
          deployments: [{provider: sim, model: sim-gpt}]
      """;
  static final Instant START = Instant.parse("2026-11-26T12:00:00Z");

  final RecordingDispatcher dispatcher = new RecordingDispatcher();
  final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
  final io.sluice.metrics.GatewayMetrics metrics = new io.sluice.metrics.GatewayMetrics(registry);
  final EventSerdes serdes;
  final TopologySpec.Topics topics;
  final TopologyTestDriver driver;
  final io.sluice.admission.AdmissionSettings admission;
  final TestInputTopic<byte[], byte[]> requests;
  final TestInputTopic<String, Completion> completions;
  final TestOutputTopic<String, Response> responses;
  final TestOutputTopic<String, TraceSpan> traces;
  final TestOutputTopic<String, Usage> usage;
  final TestOutputTopic<byte[], byte[]> dlq;
  final TestOutputTopic<String, Response> cache;
  final TestOutputTopic<String, io.sluice.events.ToolCall> toolCalls;
  final TestOutputTopic<String, io.sluice.events.ToolResult> toolResultsOut;
  final TestInputTopic<String, io.sluice.events.ToolResult> toolResults;
  private final java.nio.file.Path stateDir = tempDir();
  private Instant now = START;

  static final SessionSettings SETTINGS =
      new SessionSettings(
          4,
          Duration.ofSeconds(30),
          Duration.ofHours(1),
          Duration.ofSeconds(60),
          Duration.ofMillis(100),
          false);

  TopologyFixture() {
    this(CONFIG, SETTINGS);
  }

  TopologyFixture(String yaml, SessionSettings settings) {
    this(yaml, settings, CatalogSchemaRegistry.bundled(), d -> d);
  }

  /** The fixture on {@code registry} instead of the bundled catalog. */
  TopologyFixture(SchemaRegistry registry) {
    this(CONFIG, SETTINGS, registry, d -> d);
  }

  /** The fixture with these virtual keys at ingest. */
  TopologyFixture(KeySettings keys) {
    this(CONFIG, SETTINGS, CatalogSchemaRegistry.bundled(), d -> d, keys, null);
  }

  /** The fixture on {@code registry}, with these virtual keys at ingest. */
  TopologyFixture(SchemaRegistry registry, KeySettings keys) {
    this(CONFIG, SETTINGS, registry, d -> d, keys, null);
  }

  /**
   * The fixture with the tenant admission stage as {@code yaml} configures it ({@code
   * admission.limits}, {@code tenants.<id>} limits), with {@code keys} as the keys' limits.
   */
  static TopologyFixture withAdmission(String yaml, io.sluice.admission.KeyLimits keys) {
    return new TopologyFixture(
        yaml, SETTINGS, CatalogSchemaRegistry.bundled(), d -> d, KeySettings.none(), keys);
  }

  /** The fixture whose topology is given the dispatcher {@code over} makes of the recording one. */
  TopologyFixture(
      String yaml,
      SessionSettings settings,
      java.util.function.Function<RecordingDispatcher, io.sluice.dispatch.Dispatcher> over) {
    this(yaml, settings, CatalogSchemaRegistry.bundled(), over);
  }

  private TopologyFixture(
      String yaml,
      SessionSettings settings,
      SchemaRegistry registry,
      java.util.function.Function<RecordingDispatcher, io.sluice.dispatch.Dispatcher> over) {
    this(yaml, settings, registry, over, KeySettings.none(), null);
  }

  private TopologyFixture(
      String yaml,
      SessionSettings settings,
      SchemaRegistry registry,
      java.util.function.Function<RecordingDispatcher, io.sluice.dispatch.Dispatcher> over,
      KeySettings keys,
      io.sluice.admission.KeyLimits keyLimits) {
    io.sluice.dispatch.Dispatcher given = over.apply(dispatcher);
    serdes = EventSerdes.of(registry);
    SluiceConfig config = SluiceConfig.parse(yaml, "test.yaml", Map.of());
    topics = TopologySpec.Topics.from(config);
    serdes.replies().register(topics.replies()); // as GatewayTopology.prepareSchemas does
    TopologySpec spec =
        new TopologySpec(
            topics,
            serdes,
            ModelCatalog.from(config),
            config.tenants() == null ? Map.of() : config.tenants(),
            settings,
            SluiceApp.cacheSettings(config),
            SluiceApp.toolSettings(config),
            metrics,
            () -> given,
            io.sluice.bounds.RecordLimits.DEFAULTS,
            SluiceApp.requestLimits(config),
            keys,
            io.sluice.config.Guardrails.pii(config));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sluice-test");
    // a directory of its own: the default (/tmp/kafka-streams/sluice-test) is shared by every
    // build on the machine, and two drivers opening the same RocksDB store collide
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    admission =
        keyLimits == null
            ? io.sluice.admission.AdmissionSettings.OFF
            : io.sluice.admission.AdmissionSettings.from(config, keyLimits, 1);
    driver = new TopologyTestDriver(GatewayTopology.build(spec, admission), props, START);
    requests =
        driver.createInputTopic(
            topics.requests(),
            new ByteArraySerializer(),
            new ByteArraySerializer(),
            START,
            Duration.ZERO);
    completions =
        driver.createInputTopic(
            topics.completions(),
            new StringSerializer(),
            serdes.completion().serializer(),
            START,
            Duration.ZERO);
    responses =
        driver.createOutputTopic(
            topics.responses(), new StringDeserializer(), serdes.response().deserializer());
    traces =
        driver.createOutputTopic(
            topics.traces(), new StringDeserializer(), serdes.traceSpan().deserializer());
    usage =
        driver.createOutputTopic(
            topics.usage(), new StringDeserializer(), serdes.usage().deserializer());
    dlq =
        driver.createOutputTopic(
            topics.dlq(), Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
    cache =
        driver.createOutputTopic(
            topics.cache(), new StringDeserializer(), serdes.response().deserializer());
    toolCalls =
        driver.createOutputTopic(
            topics.toolCalls(), new StringDeserializer(), serdes.toolCall().deserializer());
    toolResultsOut =
        driver.createOutputTopic(
            topics.toolResults(), new StringDeserializer(), serdes.toolResult().deserializer());
    toolResults =
        driver.createInputTopic(
            topics.toolResults(),
            new StringSerializer(),
            serdes.toolResult().serializer(),
            START,
            Duration.ZERO);
  }

  private static java.nio.file.Path tempDir() {
    try {
      return java.nio.file.Files.createTempDirectory("sluice-topology-test");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Request request(String id, String session, String text) {
    return Request.newBuilder()
        .setRequestId(id)
        .setSessionId(session)
        .setTenantId("acme")
        .setModel("gpt")
        .setMessages(new ArrayList<>(List.of(new ChatMessage("user", text, null, null, List.of()))))
        .setCreatedAt(START)
        .build();
  }

  /** Pipes a request keyed by its session (or by {@code key} when given). */
  void send(Request r) {
    requests.pipeInput(
        r.getSessionId() == null ? null : r.getSessionId().getBytes(StandardCharsets.UTF_8),
        serdes.request().serialize("llm.requests", r));
  }

  /** Pipes a request keyed by its session whose record names reply topic and partition. */
  void sendWithReply(Request r, String replyTopic, Integer replyPartition) {
    org.apache.kafka.common.header.internals.RecordHeaders headers =
        new org.apache.kafka.common.header.internals.RecordHeaders();
    headers.add(
        io.sluice.schema.ReplyHeaders.TOPIC, io.sluice.schema.ReplyHeaders.bytes(replyTopic));
    if (replyPartition != null) {
      headers.add(
          io.sluice.schema.ReplyHeaders.PARTITION,
          io.sluice.schema.ReplyHeaders.bytes(String.valueOf(replyPartition)));
    }
    requests.pipeInput(
        new org.apache.kafka.streams.test.TestRecord<>(
            r.getSessionId().getBytes(StandardCharsets.UTF_8),
            serdes.request().serialize("llm.requests", r),
            headers,
            now));
  }

  /** The records written to reply topic {@code name}. */
  TestOutputTopic<String, Response> replyTopic(String name) {
    return driver.createOutputTopic(
        name, new StringDeserializer(), serdes.response().deserializer());
  }

  void sendKeyed(String key, Request r) {
    requests.pipeInput(
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        serdes.request().serialize("llm.requests", r));
  }

  /** Pipes the successful completion of {@code job}, as the dispatcher would publish it. */
  void complete(DispatchJob job, String content) {
    completions.pipeInput(job.sessionId(), completed(job, content));
  }

  /** The successful completion of {@code job}: one call to the simulator, 7 + 2 tokens. */
  static Completion completed(DispatchJob job, String content) {
    long now = START.toEpochMilli();
    return Completion.newBuilder()
        .setRequestId(job.requestId())
        .setSessionId(job.sessionId())
        .setDispatch(job.dispatch())
        .setOk(true)
        .setContent(content)
        .setToolCalls(List.of())
        .setFinishReason("stop")
        .setUsage(new TokenUsage(7, 2, 9))
        .setCostUsd(0.0)
        .setProvider("sim")
        .setProviderModel("sim-gpt")
        .setError(null)
        .setAttempts(
            List.of(new Attempt("sim", "sim-gpt", now, now + 5, true, 200, null, 7, 2, 0.0)))
        .build();
  }

  /** Pipes a completion in which the model asks for {@code calls} (tool name to call id). */
  void askForTools(DispatchJob job, Map<String, String> calls) {
    long now = START.toEpochMilli();
    List<io.sluice.events.ToolInvocation> invocations = new ArrayList<>();
    calls.forEach(
        (name, id) ->
            invocations.add(new io.sluice.events.ToolInvocation(id, name, "{\"input\":\"x\"}")));
    completions.pipeInput(
        job.sessionId(),
        Completion.newBuilder()
            .setRequestId(job.requestId())
            .setSessionId(job.sessionId())
            .setDispatch(job.dispatch())
            .setOk(true)
            .setContent(null)
            .setToolCalls(invocations)
            .setFinishReason("tool_calls")
            .setUsage(new TokenUsage(5, 1, 6))
            .setCostUsd(0.001)
            .setProvider("sim")
            .setProviderModel("sim-gpt")
            .setError(null)
            .setAttempts(
                List.of(new Attempt("sim", "sim-gpt", now, now + 5, true, 200, null, 5, 1, 0.001)))
            .build());
  }

  void fail(DispatchJob job, int status) {
    long now = START.toEpochMilli();
    completions.pipeInput(
        job.sessionId(),
        Completion.newBuilder()
            .setRequestId(job.requestId())
            .setSessionId(job.sessionId())
            .setDispatch(job.dispatch())
            .setOk(false)
            .setUsage(new TokenUsage(0, 0, 0))
            .setError(
                new ErrorInfo("provider_error", "sim answered HTTP " + status, true, status, null))
            .setAttempts(
                List.of(
                    new Attempt(
                        "sim",
                        "sim-gpt",
                        now,
                        now + 5,
                        false,
                        status,
                        "provider_error",
                        0,
                        0,
                        0.0)))
            .build());
  }

  void advance(Duration d) {
    now = now.plus(d);
    driver.advanceWallClockTime(d);
  }

  /** The driver's wall clock, as advanced by {@link #advance}. */
  Instant now() {
    return now;
  }

  @Override
  public void close() {
    driver.close();
    try (var paths = java.nio.file.Files.walk(stateDir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
