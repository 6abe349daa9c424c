package io.sluice.liveconfig;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code llm.config} on a thread of its own (never a stream thread) and applies each new
 * version to a {@link ConfigInForce}: one that validates here is put in force; one that does not is
 * logged, counted ({@code sluice_config_refused_total}, {@code sluice_config_refused_version}) and
 * ignored, and the instance keeps the config it had. {@code sluice_config_version} is the version
 * in force (0: the instance's own file).
 *
 * <p>{@link #start} first reads the topic to its end, so an instance starts with the latest version
 * rather than its file's sections; the file is the bootstrap until the topic has one.
 */
public final class ConfigReader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigReader.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final ConfigInForce holder;
  private final Supplier<Map<String, String>> env;
  private final KafkaConsumer<String, byte[]> consumer;
  private final TopicPartition partition;
  private final Thread thread;
  private final Counter applied;
  private final Counter refused;
  private final AtomicLong refusedVersion = new AtomicLong();
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private volatile boolean closed;

  private ConfigReader(
      ConfigInForce holder,
      Properties client,
      String topic,
      MeterRegistry meters,
      Supplier<Map<String, String>> env) {
    this.holder = holder;
    this.env = env;
    this.consumer = ConfigTopic.consumer(client);
    this.partition = ConfigTopic.partition(topic);
    Gauge.builder("sluice.config.version", holder, h -> h.current().version())
        .description("the live config version in force (0: the instance's own file)")
        .register(meters);
    Gauge.builder("sluice.config.refused.version", refusedVersion, AtomicLong::get)
        .description("the latest live config version this instance refused (0: none)")
        .register(meters);
    this.applied =
        Counter.builder("sluice.config.applied")
            .description("live config versions applied")
            .register(meters);
    this.refused =
        Counter.builder("sluice.config.refused")
            .description("live config versions this instance could not apply and ignored")
            .register(meters);
    this.thread = new Thread(this::run, "sluice-config-reader");
    this.thread.setDaemon(true);
  }

  /**
   * Starts reading {@code topic} into {@code holder}; returns once the versions already in the
   * topic are applied, or after {@code catchUp} (then they follow as they are read).
   */
  public static ConfigReader start(
      ConfigInForce holder, Properties client, String topic, MeterRegistry meters, Duration catchUp)
      throws InterruptedException {
    return start(holder, client, topic, meters, catchUp, System::getenv);
  }

  static ConfigReader start(
      ConfigInForce holder,
      Properties client,
      String topic,
      MeterRegistry meters,
      Duration catchUp,
      Supplier<Map<String, String>> env)
      throws InterruptedException {
    ConfigReader r = new ConfigReader(holder, client, topic, meters, env);
    r.thread.start();
    if (!r.caughtUp.await(catchUp.toMillis(), TimeUnit.MILLISECONDS)) {
      log.warn(
          "live config: {} not read to its end within {}; running with version {} until it is",
          topic,
          catchUp,
          holder.current().version());
    }
    return r;
  }

  private void run() {
    long end = -1;
    try {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      while (!closed) {
        try {
          if (end < 0) {
            end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(5)).get(partition);
          }
          for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
            offer(r);
          }
          if (caughtUp.getCount() > 0 && consumer.position(partition) >= end) {
            caughtUp.countDown();
          }
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // the topic missing, the broker away: keep the config in force and try again
          log.warn("live config: cannot read {}: {}", partition.topic(), e.toString());
        }
      }
    } catch (WakeupException closing) {
      // close() asked
    } finally {
      consumer.close();
    }
  }

  /** Applies one record of the topic, or counts it as refused. */
  void offer(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return;
    }
    ConfigVersion v;
    try {
      v = ConfigVersion.fromJson(r.value());
    } catch (IllegalArgumentException e) {
      refuse(-1, "offset " + r.offset() + ": " + e.getMessage());
      return;
    }
    offer(v);
  }

  /** Applies {@code v} if it is newer than the version in force and valid here. */
  void offer(ConfigVersion v) {
    long before = holder.current().version();
    if (v.version() <= before) {
      return;
    }
    InForce next;
    try {
      next = VersionApplier.prepare(holder.bootstrap(), v, env.get());
    } catch (ConfigException e) {
      refuse(v.version(), e.getMessage());
      return;
    }
    try {
      holder.swap(next);
    } catch (RuntimeException e) {
      refuse(v.version(), "llm.config version " + v.version() + ": cannot be applied: " + e);
      return;
    }
    applied.increment();
    log.info(
        "live config: version {} in force (was {}), applied by {} at {} from {}, digest {}",
        v.version(),
        before,
        v.appliedBy(),
        java.time.Instant.ofEpochMilli(v.appliedAtMs()),
        v.source(),
        v.digest().substring(0, Math.min(12, v.digest().length())));
  }

  private void refuse(long version, String why) {
    refused.increment();
    refusedVersion.accumulateAndGet(version, Math::max);
    log.error(
        "live config: refused {}; keeping version {}: {}",
        version > 0 ? "version " + version : "a record",
        holder.current().version(),
        why);
  }

  /** Whether the versions in the topic when it started have been read. */
  public boolean caughtUp() {
    return caughtUp.getCount() == 0;
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
