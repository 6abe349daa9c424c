package io.sluice.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.admission.AdmissionSettings;
import io.sluice.admission.KeyLimits;
import io.sluice.app.errors.BrokerWatchdog;
import io.sluice.app.errors.ErrorHandling;
import io.sluice.app.errors.ThreadFailurePolicy;
import io.sluice.bounds.KafkaLimits;
import io.sluice.bounds.RecordLimits;
import io.sluice.config.Durations;
import io.sluice.config.Guardrails;
import io.sluice.config.KafkaProfile;
import io.sluice.config.SluiceConfig;
import io.sluice.dispatch.BoundedCompletionSink;
import io.sluice.dispatch.HttpDispatcher;
import io.sluice.dispatch.KafkaChunkSink;
import io.sluice.dispatch.KafkaCompletionSink;
import io.sluice.guardrails.PiiGuards;
import io.sluice.http.AdminHttpServer;
import io.sluice.http.HealthCheck;
import io.sluice.keys.KeyLookup;
import io.sluice.keys.KeysReader;
import io.sluice.liveconfig.ConfigInForce;
import io.sluice.liveconfig.ConfigReader;
import io.sluice.liveconfig.ConfigTopic;
import io.sluice.liveconfig.InForce;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.routing.Router;
import io.sluice.routing.RoutingSettings;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.registry.HttpSchemaRegistry;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.semantic.SemanticCache;
import io.sluice.singleflight.SingleFlight;
import io.sluice.tools.bridge.ToolBridge;
import io.sluice.topology.CacheSettings;
import io.sluice.topology.EventSerdes;
import io.sluice.topology.GatewayTopology;
import io.sluice.topology.KeySettings;
import io.sluice.topology.RequestLimits;
import io.sluice.topology.SessionSettings;
import io.sluice.topology.ToolSettings;
import io.sluice.topology.TopologySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: builds every part from the config, starts Kafka Streams and the HTTP
 * endpoints, and closes them in order. The topology itself is built by {@link GatewayTopology}.
 */
public final class SluiceApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SluiceApp.class);

  private final RestartableStreams streams;
  private final HttpDispatcher dispatcher;
  private final KafkaCompletionSink completions;
  private final KafkaChunkSink chunks;
  private final SemanticCache semantic;
  private final Providers providers;
  private final AdminHttpServer admin;
  private final PrometheusMeterRegistry registry;
  private final SchemaRegistry schemas;
  private final ToolBridge bridge;
  private final BrokerWatchdog watchdog;
  private final ConfigInForce live;
  private final ConfigReader configReader;
  private final LiveDispatch liveDispatch;
  private final KeysReader keys;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile Throwable fatal;

  private SluiceApp(SluiceConfig config) throws Exception {
    this.schemas = schemaRegistry(config);
    EventSerdes serdes = EventSerdes.of(schemas);
    TopologySpec.Topics topics = TopologySpec.Topics.from(config);
    Properties clientProps = new Properties();
    config.kafka().properties().forEach(clientProps::setProperty);
    clientProps.setProperty("bootstrap.servers", config.kafka().bootstrapServers());
    TopicCheck.ensure(clientProps, config);
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.keys = VirtualKeys.start(clientProps, config, registry);
    // a key's limits, from the keys reader's memory (never I/O on the stream thread)
    KeyLimits keyLimits = keyId -> keys.byId(keyId).map(VirtualKeys::limits).filter(l -> !l.none());
    int admissionPartitions = AdmissionTopics.ensure(clientProps, config);
    GatewayTopology.prepareSchemas(serdes, topics, config.kafka().applicationId());

    GatewayMetrics metrics = new GatewayMetrics(registry);
    StateGuard guard = StateGuard.connect(clientProps, config, metrics);
    // live configuration: the config topic's latest version, else the file (io.sluice.liveconfig)
    this.live = ConfigInForce.startingWith(config);
    this.configReader =
        ConfigReader.start(
            live, clientProps, ConfigTopic.name(config), registry, Duration.ofSeconds(15));
    InForce start = live.current();
    // whether the stage is in the topology is the file's; the tenants' limits follow live config
    AdmissionSettings admission =
        AdmissionSettings.from(config, keyLimits, admissionPartitions).withTenants(live.limits());
    this.providers = Providers.from(start.config());
    Properties completionProps = new Properties();
    completionProps.putAll(clientProps);
    KafkaProfile.of(config.kafka().profile()).applyToProducer(completionProps); // linger, batch
    KafkaLimits.applyToProducer(completionProps, RecordLimits.from(config));
    this.completions =
        new KafkaCompletionSink(
            completionProps, topics.completions(), serdes.completion().serializer());
    Properties chunkProps = new Properties();
    chunkProps.putAll(completionProps);
    // framed with the ids registered for topics.replies by prepareSchemas: no registry call on
    // the provider client's I/O thread, whatever reply topic a request names
    this.chunks =
        new KafkaChunkSink(
            chunkProps,
            (topic, chunk) -> serdes.replies().chunk(chunk),
            config.dispatch().chunkLingerMs(),
            config.dispatch().chunkBufferBytes(),
            List.of(topics.replies()),
            metrics);
    RoutingSettings routing = start.routing();
    Router router = new Router(routing);
    // single-flight in front of the dispatcher: identical cacheable calls in flight share one
    SingleFlight<HttpDispatcher> flights =
        new SingleFlight<>(
            new BoundedCompletionSink(completions, RecordLimits.from(config), metrics),
            sink ->
                new HttpDispatcher(
                    start.models(),
                    router,
                    providers.clients(),
                    Providers.maxConcurrency(start.config()),
                    sink,
                    chunks,
                    100_000,
                    routing,
                    metrics,
                    Clock.systemUTC()));
    this.dispatcher = flights.delegate();
    this.liveDispatch = LiveDispatch.follow(live, start, providers, dispatcher, router);
    // the semantic cache in front of single-flight: a lookup first, off the stream thread; a miss
    // goes on to the shared calls
    this.semantic = SemanticCache.start(config, clientProps, flights, completions, registry);
    TopologySpec spec =
        new TopologySpec(
            topics,
            serdes,
            live.models(),
            live.tenants(),
            sessionSettings(start.config()),
            live.cache(),
            toolSettings(config, live.pii()),
            metrics,
            semantic.dispatcher(),
            RecordLimits.from(config),
            requestLimits(config),
            new KeySettings(keys, config.keys().checkHeader()),
            live.pii());
    Properties streamsProps = StreamsProperties.of(config);
    ErrorHandling.install(streamsProps, metrics, topics.dlq());
    streamsProps.put(StreamsConfig.STATE_DIR_CONFIG, guard.stateDir().toString());
    this.streams =
        new RestartableStreams(
            () -> new KafkaStreams(GatewayTopology.build(spec, admission), streamsProps),
            guard,
            registry,
            metrics);
    streams.setUncaughtExceptionHandler(
        new ThreadFailurePolicy(metrics, Clock.systemUTC(), e -> fatal = e));
    streams.setStateListener(
        (now, before) -> {
          log.info("Kafka Streams: {} -> {}", before, now);
          if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
            stopped.countDown();
          }
        });

    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    Gauge.builder("sluice.calls.in.flight", dispatcher, HttpDispatcher::inFlight)
        .description("provider calls in flight")
        .register(registry);
    Gauge.builder("sluice.dispatch.queued", dispatcher, HttpDispatcher::queued)
        .description("requests waiting for a provider lane")
        .register(registry);
    FunctionCounter.builder("sluice.single.flight.shared", flights, SingleFlight::shared)
        .description("requests answered by another identical request's provider call")
        .register(registry);
    this.watchdog =
        new BrokerWatchdog(
            clientProps,
            Durations.parse(config.kafka().brokerLossTimeout(), "kafka.broker_loss_timeout"),
            Clock.systemUTC(),
            e -> {
              fatal = e;
              stopped.countDown();
            });
    this.bridge = config.tools() == null ? null : ToolBridge.start(bridgeOptions(config, schemas));
    this.admin =
        AdminHttpServer.start(config.http().host(), config.http().port(), registry, this::health);
  }

  /** Builds and starts the gateway; it runs until {@link #close()}. */
  public static SluiceApp start(SluiceConfig config) throws Exception {
    SluiceApp app = new SluiceApp(config);
    app.streams.start();
    log.info(
        "Sluice gateway started: application {} on {}, {}; metrics and health at {}",
        config.kafka().applicationId(),
        config.kafka().bootstrapServers(),
        config.kafka().processingGuarantee(),
        app.admin.url());
    log.info(
        "tenant limits: {}",
        config.admissionEnabled()
            ? "on (admission stage keyed by tenant, admission.limits "
                + config.admission().limits()
                + ")"
            : "off (no admission stage, admission.limits " + config.admission().limits() + ")");
    return app;
  }

  /** The config's schema registry, or the bundled catalog when it names none. */
  public static SchemaRegistry schemaRegistry(SluiceConfig config) {
    SluiceConfig.SchemaRegistrySection sr = config.schemaRegistry();
    if (sr != null && sr.url() != null) {
      return new HttpSchemaRegistry(
          new HttpSchemaRegistry.Options(sr.url(), sr.basicAuthUserInfo(), sr.bearerToken()));
    }
    return CatalogSchemaRegistry.bundled();
  }

  /** The session processor's settings, from the config. */
  public static SessionSettings sessionSettings(SluiceConfig config) {
    long maxTimeout =
        config.providers().values().stream()
            .mapToLong(SluiceConfig.ProviderConfig::timeoutMs)
            .max()
            .orElse(30_000);
    int maxRetries =
        config.models().values().stream()
            .mapToInt(SluiceConfig.ModelConfig::retries)
            .max()
            .orElse(0);
    return new SessionSettings(
        config.sessions().maxHistoryMessages(),
        Durations.parse(config.sessions().requestTimeout(), "sessions.request_timeout"),
        Durations.parse(config.sessions().idleTtl(), "sessions.idle_ttl"),
        Duration.ofMillis(maxTimeout * (maxRetries + 2) + 10_000),
        Duration.ofMillis(100),
        config.tracing().includeContent(),
        Durations.parse(config.sessions().idempotencyWindow(), "sessions.idempotency_window"),
        io.sluice.topology.Tracer.Level.parse(config.tracing().spans()));
  }

  /** The bounds ingest checks requests against, from the config. */
  public static RequestLimits requestLimits(SluiceConfig config) {
    return new RequestLimits(config.sessions().maxRequestMessages());
  }

  /** How the tool bridge reaches Kafka and RabbitMQ, from the config. */
  public static ToolBridge.Options bridgeOptions(SluiceConfig config, SchemaRegistry registry) {
    Properties kafka = new Properties();
    config.kafka().properties().forEach(kafka::setProperty);
    kafka.setProperty("bootstrap.servers", config.kafka().bootstrapServers());
    Map<String, String> n = config.topicNames();
    return new ToolBridge.Options(
        kafka,
        config.kafka().applicationId() + "-tool-bridge",
        n.get("tool-calls"),
        n.get("tool-results"),
        config.tools().amqpUrl(),
        config.tools().exchange(),
        registry);
  }

  public static ToolSettings toolSettings(SluiceConfig config) {
    return toolSettings(config, Guardrails.pii(config));
  }

  /** As above, with {@code pii} masking tool results (the guards in force, under live config). */
  public static ToolSettings toolSettings(SluiceConfig config, PiiGuards pii) {
    SluiceConfig.ToolsSection t = config.tools();
    return t == null
        ? ToolSettings.disabled()
        : new ToolSettings(true, Duration.ofMillis(t.timeoutMs()), t.maxRounds(), pii);
  }

  public static CacheSettings cacheSettings(SluiceConfig config) {
    return new CacheSettings(
        config.cache().enabled(),
        Durations.parse(config.cache().ttl(), "cache.ttl"),
        config.cache().scope().equals("tenant"),
        SemanticCache.models(config));
  }

  private HealthCheck.Status health() {
    KafkaStreams.State s = streams.state();
    return new HealthCheck.Status(
        s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING, s.name());
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  public String adminUrl() {
    return admin.url();
  }

  public PrometheusMeterRegistry metrics() {
    return registry;
  }

  /** The config in force on this instance (live configuration). */
  public ConfigInForce configInForce() {
    return live;
  }

  /** This instance's virtual keys (in memory; {@code byId} gives a key's limits). */
  public KeyLookup keys() {
    return keys;
  }

  /**
   * Entries in this instance's copy of the response cache, counted up to {@code limit} (a
   * diagnostic: it walks the store); 0 while the cache is disabled or the store is not ready.
   */
  public long cacheEntries(long limit) {
    try (KeyValueIterator<String, Object> it =
        streams
            .store(
                StoreQueryParameters.fromNameAndType(
                    "cache", QueryableStoreTypes.<String, Object>keyValueStore()))
            .all()) {
      long n = 0;
      while (n < limit && it.hasNext()) {
        it.next();
        n++;
      }
      return n;
    } catch (RuntimeException notReady) {
      return 0;
    }
  }

  /** Waits until the streams stop by themselves (a fatal error); true if they did in time. */
  public boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
    return stopped.await(timeout, unit);
  }

  /** The error that stopped the gateway, if one did. */
  public Throwable fatalError() {
    return fatal;
  }

  @Override
  public void close() {
    if (bridge != null) {
      bridge.close();
    }
    // A clean stop leaves the group even with static membership (kafka.instance_id), so that
    // replay and scale-in need not wait for the session timeout; a crash does not, and the
    // restarted instance takes its partitions back at once.
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(Duration.ofSeconds(30)));
    watchdog.close();
    configReader.close();
    liveDispatch.close();
    dispatcher.close();
    semantic.close();
    completions.close();
    chunks.close();
    admin.close();
    providers.close();
    schemas.close();
    keys.close();
    stopped.countDown();
  }
}
