package io.sluice.liveconfig;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code llm.config} on a thread of its own (never a stream thread) and hands each record to
 * a {@link ConfigFollower}, which puts a new version in force or refuses it.
 *
 * <p>{@link #start} first reads the topic to its end, so an instance starts with the latest version
 * rather than its file's sections; the file is the bootstrap until the topic has one.
 */
public final class ConfigReader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigReader.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final ConfigFollower follower;
  private final KafkaConsumer<String, byte[]> consumer;
  private final TopicPartition partition;
  private final Thread thread;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private volatile boolean closed;

  private ConfigReader(
      ConfigInForce holder,
      Properties client,
      String topic,
      MeterRegistry meters,
      Supplier<Map<String, String>> env) {
    this.follower = new ConfigFollower(holder, meters, env);
    this.consumer = ConfigTopic.consumer(client);
    this.partition = ConfigTopic.partition(topic);
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
          if (caughtUp.getCount() > 0 && consumer.position(partition) >= end) {
            caughtUp.countDown();
          }
          for (var r : consumer.poll(POLL)) {
            follower.offer(r.value(), r.offset());
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
