package io.sluice.config;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks the values the YAML types cannot, naming the key of the first problem. */
final class ConfigValidator {
  private static final Set<String> GUARANTEES = Set.of("exactly_once_v2", "at_least_once");
  private static final Set<String> PROVIDER_TYPES = Set.of("openai", "anthropic");
  private static final Set<String> STRATEGIES = Set.of("weighted", "least_busy", "lowest_latency");

  /** Below this, ordinary requests would not fit. */
  static final long MIN_RECORD_BYTES = 65_536;

  /** Kafka's own ceiling for a request is 2 GiB; past a few tens of MiB a broker suffers. */
  static final long MAX_RECORD_BYTES = 64L * 1024 * 1024;

  private ConfigValidator() {}

  static void validate(SluiceConfig c, String source) {
    String p = source + ": ";
    SluiceConfig.KafkaSection k = c.kafka();
    require(!k.bootstrapServers().isBlank(), p + "kafka.bootstrap_servers must not be empty");
    require(
        GUARANTEES.contains(k.processingGuarantee()),
        p
            + "kafka.processing_guarantee must be exactly_once_v2 or at_least_once, not '"
            + k.processingGuarantee()
            + "'");
    require(
        KafkaProfile.named(k.profile()) != null,
        p + "kafka.profile must be one of " + KafkaProfile.names() + ", not '" + k.profile() + "'");
    require(k.commitIntervalMs() > 0, p + "kafka.commit_interval_ms must be > 0");
    require(k.lingerMs() >= 0, p + "kafka.linger_ms must be >= 0");
    require(k.numStreamThreads() > 0, p + "kafka.num_stream_threads must be > 0");
    require(
        Durations.parse(k.brokerLossTimeout(), p + "kafka.broker_loss_timeout").toSeconds() >= 30,
        p + "kafka.broker_loss_timeout must be at least 30s");
    require(
        k.maxRecordBytes() >= MIN_RECORD_BYTES && k.maxRecordBytes() <= MAX_RECORD_BYTES,
        p
            + "kafka.max_record_bytes must be between "
            + MIN_RECORD_BYTES
            + " and "
            + MAX_RECORD_BYTES
            + ", not "
            + k.maxRecordBytes());
    if (c.schemaRegistry() != null) {
      requireUrl(c.schemaRegistry().url(), p + "schema_registry.url");
    }
    require(c.topics().partitions() > 0, p + "topics.partitions must be > 0");
    require(c.topics().replyPartitions() > 0, p + "topics.reply_partitions must be > 0");
    for (Map.Entry<String, SluiceConfig.ProviderConfig> e : c.providers().entrySet()) {
      String key = "providers." + e.getKey();
      SluiceConfig.ProviderConfig pc = e.getValue();
      require(pc != null, p + key + " is empty");
      require(
          pc.type() != null && PROVIDER_TYPES.contains(pc.type()),
          p + key + ".type must be openai or anthropic, not '" + pc.type() + "'");
      requireUrl(pc.baseUrl(), p + key + ".base_url");
      require(pc.timeoutMs() > 0, p + key + ".timeout_ms must be > 0");
      require(pc.maxConcurrency() > 0, p + key + ".max_concurrency must be > 0");
      require(
          SluiceConfig.ProviderConfig.CLIENTS.contains(pc.client()),
          p + key + ".client must be auto, netty or okhttp, not '" + pc.client() + "'");
    }
    for (Map.Entry<String, SluiceConfig.ModelConfig> e : c.models().entrySet()) {
      String key = "models." + e.getKey();
      SluiceConfig.ModelConfig m = e.getValue();
      require(m != null, p + key + " is empty");
      require(
          STRATEGIES.contains(m.strategy()),
          p
              + key
              + ".strategy must be weighted, least_busy or lowest_latency, not '"
              + m.strategy()
              + "'");
      require(!m.deployments().isEmpty(), p + key + ".deployments must not be empty");
      require(m.retries() >= 0, p + key + ".retries must be >= 0");
      List<SluiceConfig.DeploymentConfig> ds = m.deployments();
      for (int i = 0; i < ds.size(); i++) {
        SluiceConfig.DeploymentConfig d = ds.get(i);
        String dk = key + ".deployments[" + i + "]";
        require(d.provider() != null, p + dk + ".provider is required");
        require(
            c.providers().containsKey(d.provider()),
            p
                + dk
                + ".provider: unknown provider '"
                + d.provider()
                + "' (configured: "
                + new TreeSet<>(c.providers().keySet())
                + ")");
        require(d.model() != null && !d.model().isBlank(), p + dk + ".model is required");
        require(d.weight() >= 0, p + dk + ".weight must be >= 0");
      }
      for (String f : m.fallbacks()) {
        require(
            c.models().containsKey(f) && !f.equals(e.getKey()),
            p + key + ".fallbacks: '" + f + "' is not another configured model alias");
      }
    }
    require(
        Set.of("tenant", "global").contains(c.cache().scope()),
        p + "cache.scope must be tenant or global, not '" + c.cache().scope() + "'");
    Durations.parse(c.cache().ttl(), p + "cache.ttl");
    c.cache().semantic().validate(p, c.models().keySet());
    c.tracing().validate(p);
    Durations.parse(c.sessions().idleTtl(), p + "sessions.idle_ttl");
    Durations.parse(c.sessions().requestTimeout(), p + "sessions.request_timeout");
    Durations.parse(c.sessions().idempotencyWindow(), p + "sessions.idempotency_window");
    require(
        c.sessions().maxHistoryMessages() >= 0, p + "sessions.max_history_messages must be >= 0");
    require(c.sessions().maxRequestMessages() > 0, p + "sessions.max_request_messages must be > 0");
    long headroom = k.maxRecordBytes() - io.sluice.bounds.RecordLimits.SESSION_HEADROOM_BYTES;
    require(
        c.sessions().maxHistoryBytes() >= 0 && c.sessions().maxHistoryBytes() <= headroom,
        p
            + "sessions.max_history_bytes must be between 0 and "
            + headroom
            + " (kafka.max_record_bytes less "
            + io.sluice.bounds.RecordLimits.SESSION_HEADROOM_BYTES
            + "), not "
            + c.sessions().maxHistoryBytes());
    require(
        c.cache().maxEntryBytes() >= 0 && c.cache().maxEntryBytes() <= k.maxRecordBytes(),
        p
            + "cache.max_entry_bytes must be between 0 and kafka.max_record_bytes ("
            + k.maxRecordBytes()
            + "), not "
            + c.cache().maxEntryBytes());
    if (c.tools() != null) {
      require(c.tools().timeoutMs() > 0, p + "tools.timeout_ms must be > 0");
      require(c.tools().maxRounds() > 0, p + "tools.max_rounds must be > 0");
      require(
          c.tools().amqpUrl().startsWith("amqp"),
          p + "tools.amqp_url must be an amqp:// or amqps:// URL");
    }
    SluiceConfig.RoutingSection r = c.routing();
    Durations.parse(r.backoffBase(), p + "routing.backoff_base");
    Durations.parse(r.backoffMax(), p + "routing.backoff_max");
    Durations.parse(r.breakerOpenFor(), p + "routing.breaker_open_for");
    require(r.breakerWindow() > 0, p + "routing.breaker_window must be > 0");
    require(r.breakerMinCalls() > 0, p + "routing.breaker_min_calls must be > 0");
    require(
        r.breakerFailureRate() > 0 && r.breakerFailureRate() <= 100,
        p + "routing.breaker_failure_rate must be a percentage in (0, 100]");
    require(c.dispatch().chunkLingerMs() >= 0, p + "dispatch.chunk_linger_ms must be >= 0");
    require(
        c.dispatch().chunkBufferBytes() >= 1 << 20,
        p + "dispatch.chunk_buffer_bytes must be at least 1048576 (1 MiB)");
    require(c.http().port() >= 0 && c.http().port() <= 65535, p + "http.port must be 0-65535");
    FrontDoorValidator.validate(c, p);
    KeysSection.validate(c.keys(), p);
    LimitsValidator.validate(c, p);
    GuardrailsValidator.validate(c, p);
  }

  private static void requireUrl(String url, String key) {
    require(url != null && !url.isBlank(), key + " is required");
    try {
      URI u = URI.create(url);
      require(
          ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null,
          key + " must be an http(s) URL, not '" + url + "'");
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + " must be an http(s) URL, not '" + url + "'");
    }
  }

  static void require(boolean ok, String message) {
    if (!ok) {
      throw new ConfigException(message);
    }
  }
}
