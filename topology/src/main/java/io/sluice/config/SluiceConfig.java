package io.sluice.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config file (YAML), as fixed by the contract, plus Sluice's own keys. Every key is documented
 * in the README. Sections left out take their defaults; an unknown key, a wrong type or an invalid
 * value is a {@link ConfigException} naming the key (and the line).
 */
public record SluiceConfig(
    KafkaSection kafka,
    SchemaRegistrySection schemaRegistry,
    TopicsSection topics,
    Map<String, ProviderConfig> providers,
    Map<String, ModelConfig> models,
    CacheSection cache,
    ToolsSection tools,
    Map<String, TenantConfig> tenants,
    HttpSection http,
    SessionsSection sessions,
    TracingSection tracing,
    RoutingSection routing,
    FrontDoorSection frontDoor,
    DispatchSection dispatch,
    KeysSection keys,
    AdmissionSection admission,
    GuardrailsSection guardrails) {

  public SluiceConfig {
    kafka =
        kafka != null
            ? kafka
            : new KafkaSection(
                null, null, null, null, null, null, null, null, null, null, null, null);
    topics = topics != null ? topics : TopicsSection.defaults();
    providers = providers != null ? providers : Map.of();
    models = models != null ? models : Map.of();
    cache = cache != null ? cache : new CacheSection(null, null, null, null);
    http = http != null ? http : new HttpSection(null, null);
    sessions =
        sessions != null ? sessions : new SessionsSection(null, null, null, null, null, null);
    tracing = tracing != null ? tracing : new TracingSection(null, null);
    routing = routing != null ? routing : new RoutingSection(null, null, null, null, null, null);
    dispatch = KafkaProfile.resolve(dispatch, kafka.profile());
    keys = keys != null ? keys : new KeysSection(null);
    admission = admission != null ? admission : AdmissionSection.defaults();
  }

  /**
   * True when the tenant admission stage is in the topology: {@code admission.limits} on, or auto
   * with a tenant that has a limit or with virtual keys in use (the front door's {@code auth: keys}
   * or {@code keys.kafka_header: check}), since a key created later may carry limits and the stage
   * cannot be added without a restart.
   */
  public boolean admissionEnabled() {
    return switch (admission.limits()) {
      case AdmissionSection.ON -> true;
      case AdmissionSection.OFF -> false;
      default ->
          (tenants != null && tenants.values().stream().anyMatch(TenantConfig::hasLimits))
              || keys.checkHeader()
              || (frontDoor != null && "keys".equals(frontDoor.auth()));
    };
  }

  /** A config with every default (no providers, no models). */
  public static SluiceConfig defaults() {
    return new SluiceConfig(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null);
  }

  /** {@code kafka:} the cluster and how the app uses it. */
  public record KafkaSection(
      String bootstrapServers,
      String applicationId,
      String processingGuarantee,
      Map<String, String> properties,
      Long commitIntervalMs,
      Long lingerMs,
      Integer numStreamThreads,
      String stateDir,
      String instanceId,
      Long maxRecordBytes,
      String brokerLossTimeout,
      String profile) {
    public KafkaSection {
      bootstrapServers = bootstrapServers != null ? bootstrapServers : "127.0.0.1:9092";
      applicationId = applicationId != null ? applicationId : "sluice";
      processingGuarantee = processingGuarantee != null ? processingGuarantee : "exactly_once_v2";
      properties = properties != null ? Map.copyOf(properties) : Map.of();
      // a dedicated key wins, then kafka.properties, then kafka.profile (KafkaProfile)
      profile = profile != null ? profile : KafkaProfile.DEFAULT;
      commitIntervalMs =
          KafkaProfile.commitIntervalMs(commitIntervalMs, properties, profile, processingGuarantee);
      lingerMs = KafkaProfile.lingerMs(lingerMs, properties, profile);
      numStreamThreads = numStreamThreads != null ? numStreamThreads : 1;
      // stateDir stays null when unset: the default, ~/.sluice/state/<cluster id>, needs the
      // cluster id, known only once connected (io.sluice.app.StateLocation)
      maxRecordBytes = maxRecordBytes != null ? maxRecordBytes : DEFAULT_MAX_RECORD_BYTES;
      brokerLossTimeout = brokerLossTimeout != null ? brokerLossTimeout : "5m";
    }

    /**
     * The largest record (key and value) Sluice writes, to any topic or store. With the default,
     * every record fits Kafka's defaults ({@code max.request.size} 1 MiB, topics' {@code
     * max.message.bytes} 1 MiB + 12) with room for headers and record overhead.
     */
    public static final long DEFAULT_MAX_RECORD_BYTES = 1_000_000L;

    /**
     * Under exactly-once a response becomes visible at the commit after it, so commits are frequent
     * (20 ms). Under at-least-once nothing waits for a commit, while each commit blocks the stream
     * thread on a producer flush and an offset commit: fewer of them cost the stream thread less
     * (docs/BENCHMARKS.md), at the price of replaying up to one interval of input after a crash.
     */
    public static long defaultCommitIntervalMs(String processingGuarantee) {
      return KafkaProfile.BALANCED.commitIntervalMs(processingGuarantee);
    }
  }

  /** {@code schema_registry:} leave out for the bundled catalog. */
  public record SchemaRegistrySection(String url, String basicAuthUserInfo, String bearerToken) {}

  /** {@code topics:} the prefix and any name to override. */
  public record TopicsSection(
      String prefix,
      Integer partitions,
      Short replicationFactor,
      String requests,
      String responses,
      String traces,
      String usage,
      String toolCalls,
      String toolResults,
      String dlq,
      String cache,
      String completions,
      String replies,
      Integer replyPartitions,
      List<String> replyTopics) {
    public TopicsSection {
      prefix = prefix != null ? prefix : "llm.";
      partitions = partitions != null ? partitions : 6;
      replyPartitions = replyPartitions != null ? replyPartitions : 16;
      replyTopics = replyTopics != null ? List.copyOf(replyTopics) : List.of();
    }

    public static TopicsSection defaults() {
      return new TopicsSection(
          null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
  }

  /** {@code providers.<name>:} one LLM endpoint. */
  public record ProviderConfig(
      String type,
      String baseUrl,
      String apiKey,
      Long timeoutMs,
      Integer maxConcurrency,
      Map<String, String> headers,
      Boolean http2,
      String client) {
    /** The HTTP clients a provider can use: {@code auto} picks netty for http://, else okhttp. */
    public static final java.util.Set<String> CLIENTS = java.util.Set.of("auto", "netty", "okhttp");

    public ProviderConfig {
      timeoutMs = timeoutMs != null ? timeoutMs : 30_000L;
      maxConcurrency = maxConcurrency != null ? maxConcurrency : 256;
      headers = headers != null ? Map.copyOf(headers) : Map.of();
      http2 = http2 != null && http2;
      client = client != null ? client : "auto";
    }

    /** True when calls go through the event-loop client rather than okhttp. */
    public boolean usesNetty() {
      return client.equals("netty")
          || (client.equals("auto") && baseUrl != null && baseUrl.startsWith("http://"));
    }

    @Override
    public String toString() {
      return "ProviderConfig[type=" + type + ", baseUrl=" + baseUrl + ", apiKey=<redacted>]";
    }
  }

  /** {@code models.<alias>:} how an alias is served. */
  public record ModelConfig(
      String strategy,
      List<DeploymentConfig> deployments,
      Integer retries,
      List<String> fallbacks) {
    public ModelConfig {
      strategy = strategy != null ? strategy : "weighted";
      deployments = deployments != null ? List.copyOf(deployments) : List.of();
      retries = retries != null ? retries : 2;
      fallbacks = fallbacks != null ? List.copyOf(fallbacks) : List.of();
    }
  }

  /** One deployment of an alias. */
  public record DeploymentConfig(String provider, String model, Double weight, Price pricePerMtok) {
    public DeploymentConfig {
      weight = weight != null ? weight : 1.0;
      pricePerMtok = pricePerMtok != null ? pricePerMtok : new Price(0.0, 0.0);
    }
  }

  /** US dollars per million tokens. */
  public record Price(Double input, Double output) {
    public Price {
      input = input != null ? input : 0.0;
      output = output != null ? output : 0.0;
    }
  }

  /** {@code cache:} the shared response cache. */
  public record CacheSection(
      Boolean enabled, String ttl, String scope, Long maxEntryBytes, SemanticSection semantic) {
    public CacheSection(Boolean enabled, String ttl, String scope, Long maxEntryBytes) {
      this(enabled, ttl, scope, maxEntryBytes, null);
    }

    public CacheSection {
      semantic =
          semantic != null ? semantic : new SemanticSection(null, null, null, null, null, null);
      enabled = enabled == null || enabled;
      maxEntryBytes = maxEntryBytes != null ? maxEntryBytes : 262_144L;
      ttl = ttl != null ? ttl : "1h";
      scope = scope != null ? scope : "tenant";
    }
  }

  /** {@code tools:} the RabbitMQ tool bridge. */
  public record ToolsSection(String amqpUrl, String exchange, Long timeoutMs, Integer maxRounds) {
    public ToolsSection {
      amqpUrl = amqpUrl != null ? amqpUrl : "amqp://guest:guest@127.0.0.1:5672";
      exchange = exchange != null ? exchange : "sluice.tools";
      timeoutMs = timeoutMs != null ? timeoutMs : 10_000L;
      maxRounds = maxRounds != null ? maxRounds : 4;
    }
  }

  /**
   * {@code tenants.<id>:} which models a tenant may use ({@code *} for all), and the SHA-256 hex of
   * the API keys that name it at the front door ({@code front_door.auth: keys}), and its own {@code
   * guardrails} (overriding the global ones key by key; null: the global ones).
   */
  public record TenantConfig(
      List<String> models,
      List<String> apiKeys,
      Long rpm,
      Long tpm,
      Integer maxParallel,
      Double budgetUsd,
      String budgetPeriod,
      GuardrailsSection guardrails) {
    /** The periods a budget can have: a UTC calendar day or month. */
    public static final java.util.Set<String> PERIODS = java.util.Set.of("day", "month");

    public TenantConfig {
      models = models != null ? List.copyOf(models) : List.of("*");
      apiKeys = apiKeys != null ? List.copyOf(apiKeys) : List.of();
      budgetPeriod = budgetPeriod != null || budgetUsd == null ? budgetPeriod : "month";
    }

    /** A tenant without limits. */
    public TenantConfig(List<String> models, List<String> apiKeys) {
      this(models, apiKeys, null, null, null, null, null, null);
    }

    /** True when any of rpm, tpm, max_parallel or budget_usd is set. */
    public boolean hasLimits() {
      return rpm != null || tpm != null || maxParallel != null || budgetUsd != null;
    }

    @Override
    public String toString() {
      return "TenantConfig[models="
          + models
          + ", apiKeys="
          + apiKeys.size()
          + " hashes, rpm="
          + rpm
          + ", tpm="
          + tpm
          + ", maxParallel="
          + maxParallel
          + ", budgetUsd="
          + budgetUsd
          + ", budgetPeriod="
          + budgetPeriod
          + "]";
    }
  }

  /** {@code http:} the metrics and health endpoint. */
  public record HttpSection(String host, Integer port) {
    public HttpSection {
      host = host != null ? host : "127.0.0.1";
      port = port != null ? port : 8080;
    }
  }

  /**
   * {@code sessions:} conversation history kept per session, request deadlines, and the most
   * messages one request may carry.
   */
  public record SessionsSection(
      Integer maxHistoryMessages,
      String idleTtl,
      String requestTimeout,
      Long maxHistoryBytes,
      Integer maxRequestMessages,
      String idempotencyWindow) {
    public SessionsSection {
      idempotencyWindow = idempotencyWindow != null ? idempotencyWindow : "24h";
      maxHistoryMessages = maxHistoryMessages != null ? maxHistoryMessages : 50;
      maxHistoryBytes = maxHistoryBytes != null ? maxHistoryBytes : 500_000L;
      maxRequestMessages = maxRequestMessages != null ? maxRequestMessages : 2_048;
      idleTtl = idleTtl != null ? idleTtl : "24h";
      requestTimeout = requestTimeout != null ? requestTimeout : "2m";
    }
  }

  /** {@code routing:} retry backoff and circuit breakers, for every deployment. */
  public record RoutingSection(
      String backoffBase,
      String backoffMax,
      Integer breakerWindow,
      Integer breakerMinCalls,
      Double breakerFailureRate,
      String breakerOpenFor) {
    public RoutingSection {
      backoffBase = backoffBase != null ? backoffBase : "200ms";
      backoffMax = backoffMax != null ? backoffMax : "10s";
      breakerWindow = breakerWindow != null ? breakerWindow : 10;
      breakerMinCalls = breakerMinCalls != null ? breakerMinCalls : 5;
      breakerFailureRate = breakerFailureRate != null ? breakerFailureRate : 50.0;
      breakerOpenFor = breakerOpenFor != null ? breakerOpenFor : "10s";
    }
  }

  /**
   * {@code dispatch:} the producer of streamed answers' chunks.
   *
   * @param chunkLingerMs how long the chunk producer waits to batch chunks (2 ms; from {@code
   *     kafka.profile} unless given)
   * @param chunkBufferBytes the chunk producer's buffer (16 MiB); a chunk that does not fit at once
   *     is dropped, never waited for
   */
  public record DispatchSection(Integer chunkLingerMs, Long chunkBufferBytes) {
    public DispatchSection {
      chunkBufferBytes = chunkBufferBytes != null ? chunkBufferBytes : 16L << 20;
    }
  }

  /**
   * {@code tracing:} what spans may carry, and which are written ({@code spans}: {@code all}, or
   * {@code root} for the root span only, with the stages as its attributes).
   */
  public record TracingSection(Boolean includeContent, String spans) {
    public TracingSection {
      includeContent = includeContent != null && includeContent;
      spans = spans != null ? spans : "all";
    }

    void validate(String p) {
      ConfigValidator.require(
          io.sluice.topology.Tracer.Level.valid(spans),
          p + "tracing.spans must be all or root, not '" + spans + "'");
    }
  }

  /** Reads and validates a config file, substituting environment variables. */
  public static SluiceConfig load(Path file) {
    return ConfigYaml.load(file);
  }

  /** Parses and validates config text; {@code source} names it in errors. */
  public static SluiceConfig parse(String text, String source, Map<String, String> env) {
    return ConfigYaml.parse(text, source, env);
  }

  /** The topic names, resolved from the prefix and overrides. */
  public Map<String, String> topicNames() {
    Map<String, String> names = new LinkedHashMap<>();
    TopicsSection t = topics;
    names.put("requests", or(t.requests(), t.prefix() + "requests"));
    names.put("responses", or(t.responses(), t.prefix() + "responses"));
    names.put("traces", or(t.traces(), t.prefix() + "traces"));
    names.put("usage", or(t.usage(), t.prefix() + "usage"));
    names.put("tool-calls", or(t.toolCalls(), t.prefix() + "tool-calls"));
    names.put("tool-results", or(t.toolResults(), t.prefix() + "tool-results"));
    names.put("dlq", or(t.dlq(), t.prefix() + "dlq"));
    names.put("cache", or(t.cache(), t.prefix() + "cache"));
    names.put("completions", or(t.completions(), kafka.applicationId() + "-completions"));
    names.put("replies", or(t.replies(), t.prefix() + "replies"));
    names.put("keys", t.prefix() + "keys");
    names.put("semantic", t.prefix() + "semantic"); // the semantic cache's vectors (compacted)
    return names;
  }

  private static String or(String a, String b) {
    return a != null ? a : b;
  }
}
