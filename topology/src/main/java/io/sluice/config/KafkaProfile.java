package io.sluice.config;

import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * {@code kafka.profile}: the Kafka knobs that trade latency for CPU, set together. {@code balanced}
 * (the default) is what Sluice set before the profile existed; {@code low_latency} takes the
 * batching waits out of every hop (producers send at once, consumers fetch as soon as one byte is
 * there), at the price of more, smaller requests for the broker and the gateway; {@code throughput}
 * lets every hop wait longer for fuller batches.
 *
 * <p>Precedence, highest first: a dedicated key the user sets ({@code kafka.linger_ms}, {@code
 * kafka.commit_interval_ms}, {@code dispatch.chunk_linger_ms}); the same Kafka property in {@code
 * kafka.properties} (plain or with Kafka Streams' {@code producer.} / {@code consumer.} prefixes);
 * the profile; a client's own built-in default. A profile never overrides what the user wrote.
 */
public enum KafkaProfile {
  LOW_LATENCY("low_latency", 0, 10, "1", "100", Map.of(), 0, Map.of("linger.ms", "0"), Map.of()),
  BALANCED("balanced", 5, 20, "4096", "5", Map.of(), 2, Map.of(), Map.of()),
  THROUGHPUT(
      "throughput",
      20,
      100,
      "65536",
      "25",
      Map.of("batch.size", "65536"),
      10,
      Map.of("linger.ms", "20", "batch.size", "65536"),
      Map.of("fetch.min.bytes", "16384", "fetch.max.wait.ms", "20"));

  /** The default. */
  public static final String DEFAULT = "balanced";

  /** Under at-least-once nothing waits for a commit: every profile commits once a second. */
  static final long ALOS_COMMIT_INTERVAL_MS = 1000L;

  private final String configName;
  private final long lingerMs;
  private final long eosCommitIntervalMs;
  private final String fetchMinBytes;
  private final String fetchMaxWaitMs;
  private final Map<String, String> streamsProducer;
  private final int chunkLingerMs;
  private final Map<String, String> ownProducers;
  private final Map<String, String> ownConsumers;

  KafkaProfile(
      String configName,
      long lingerMs,
      long eosCommitIntervalMs,
      String fetchMinBytes,
      String fetchMaxWaitMs,
      Map<String, String> streamsProducer,
      int chunkLingerMs,
      Map<String, String> ownProducers,
      Map<String, String> ownConsumers) {
    this.configName = configName;
    this.lingerMs = lingerMs;
    this.eosCommitIntervalMs = eosCommitIntervalMs;
    this.fetchMinBytes = fetchMinBytes;
    this.fetchMaxWaitMs = fetchMaxWaitMs;
    this.streamsProducer = streamsProducer;
    this.chunkLingerMs = chunkLingerMs;
    this.ownProducers = ownProducers;
    this.ownConsumers = ownConsumers;
  }

  /** The profile named {@code name} in the config; null (not given) is {@code balanced}. */
  public static KafkaProfile of(String name) {
    KafkaProfile p = named(name == null ? DEFAULT : name);
    if (p == null) {
      throw new ConfigException("kafka.profile must be one of " + names() + ", not '" + name + "'");
    }
    return p;
  }

  /**
   * For resolving defaults while the config is built, before it is validated: an unknown name
   * resolves as {@code balanced}, and the validator then refuses it naming {@code kafka.profile}.
   */
  static KafkaProfile orBalanced(String name) {
    KafkaProfile p = named(name);
    return p != null ? p : BALANCED;
  }

  /** The profile called {@code name}, or null when there is none. */
  static KafkaProfile named(String name) {
    for (KafkaProfile p : values()) {
      if (p.configName.equals(name)) {
        return p;
      }
    }
    return null;
  }

  /** The accepted values, for messages and help. */
  public static String names() {
    return Arrays.stream(values()).map(KafkaProfile::configName).collect(Collectors.joining(", "));
  }

  /** The value as written in the config. */
  public String configName() {
    return configName;
  }

  /** The Kafka Streams producer's {@code linger.ms}, unless the user sets one. */
  public long lingerMs() {
    return lingerMs;
  }

  /** The commit interval for {@code guarantee}, unless the user sets one. */
  public long commitIntervalMs(String guarantee) {
    return "at_least_once".equals(guarantee) ? ALOS_COMMIT_INTERVAL_MS : eosCommitIntervalMs;
  }

  /** The stream threads' consumers' {@code fetch.min.bytes} (not the global consumer's). */
  public String fetchMinBytes() {
    return fetchMinBytes;
  }

  /** The stream threads' consumers' {@code fetch.max.wait.ms} (not the global consumer's). */
  public String fetchMaxWaitMs() {
    return fetchMaxWaitMs;
  }

  /** Further settings of the Kafka Streams producer, unprefixed (e.g. {@code batch.size}). */
  public Map<String, String> streamsProducer() {
    return streamsProducer;
  }

  /** {@code dispatch.chunk_linger_ms}, unless the user sets it. */
  public int chunkLingerMs() {
    return chunkLingerMs;
  }

  /**
   * Adds the profile's settings for Sluice's own producers (completions, chunks, the front door's
   * requests) to {@code p}, where the key is not there yet. Empty under {@code balanced}: each
   * producer keeps its own default.
   */
  public void applyToProducer(Properties p) {
    ownProducers.forEach(p::putIfAbsent);
  }

  /**
   * Adds the profile's settings for Sluice's own consumers (the front door's reply reader) to
   * {@code p}, where the key is not there yet. Empty under {@code balanced} and {@code
   * low_latency}: the reply reader already fetches as soon as one byte is there.
   */
  public void applyToConsumer(Properties p) {
    ownConsumers.forEach(p::putIfAbsent);
  }

  /** {@code kafka.linger_ms}: as given, else from {@code kafka.properties}, else the profile's. */
  static long lingerMs(Long given, Map<String, String> properties, String profile) {
    if (given != null) {
      return given;
    }
    Long set = fromProperties(properties, "producer.linger.ms", "linger.ms");
    return set != null ? set : orBalanced(profile).lingerMs();
  }

  /** {@code kafka.commit_interval_ms}: as given, else from properties, else the profile's. */
  static long commitIntervalMs(
      Long given, Map<String, String> properties, String profile, String guarantee) {
    if (given != null) {
      return given;
    }
    Long set = fromProperties(properties, "commit.interval.ms");
    return set != null ? set : orBalanced(profile).commitIntervalMs(guarantee);
  }

  /** {@code dispatch} (or its defaults) with the profile's chunk linger where none is given. */
  static SluiceConfig.DispatchSection resolve(SluiceConfig.DispatchSection d, String profile) {
    d = d != null ? d : new SluiceConfig.DispatchSection(null, null);
    return d.chunkLingerMs() != null
        ? d
        : new SluiceConfig.DispatchSection(
            orBalanced(profile).chunkLingerMs(), d.chunkBufferBytes());
  }

  /**
   * A number the user set in {@code kafka.properties} under any of {@code keys} (first found wins),
   * else null; a value that is not a number is left for Kafka to refuse.
   */
  static Long fromProperties(Map<String, String> properties, String... keys) {
    if (properties == null) {
      return null;
    }
    for (String key : keys) {
      String v = properties.get(key);
      if (v != null) {
        try {
          return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }
}
