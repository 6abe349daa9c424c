package io.sluice.app.errors;

import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the gateway when the Kafka cluster has been out of reach for longer than a bound ({@code
 * kafka.broker_loss_timeout}). Kafka clients retry for ever; a broker restart, even a slow one, is
 * ridden out by them. Past the bound an instance that cannot reach its cluster is better restarted
 * by its supervisor, with the reason in its exit, than left to look healthy. Asks the cluster on
 * its own thread, never a stream thread's.
 */
public final class BrokerWatchdog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BrokerWatchdog.class);
  static final Duration INTERVAL = Duration.ofSeconds(10);

  /** A slow answer on a busy machine is not an outage: say nothing for this long. */
  static final Duration WARN_AFTER = Duration.ofSeconds(30);

  private final Admin admin;
  private final Duration bound;
  private final Clock clock;
  private final Consumer<Throwable> onLost;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-broker-watchdog");
            t.setDaemon(true);
            return t;
          });
  private volatile long lastReachedMs;
  private volatile boolean warned;

  public BrokerWatchdog(
      Properties client, Duration bound, Clock clock, Consumer<Throwable> onLost) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-broker-watchdog");
    this.admin = Admin.create(p);
    this.bound = bound;
    this.clock = clock;
    this.onLost = onLost;
    this.lastReachedMs = clock.millis();
    timer.scheduleWithFixedDelay(
        this::check, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void check() {
    try {
      admin.describeCluster().clusterId().get(INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
      if (warned) {
        log.info("the Kafka cluster is reachable again");
      }
      warned = false;
      lastReachedMs = clock.millis();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      long lost = clock.millis() - lastReachedMs;
      if (!warned && lost >= WARN_AFTER.toMillis()) {
        log.warn("the Kafka cluster does not answer ({}); the gateway waits for it", e.toString());
        warned = true;
      }
      if (lost > bound.toMillis()) {
        String why =
            "the Kafka cluster has been out of reach for "
                + Duration.ofMillis(lost).toSeconds()
                + " s, more than kafka.broker_loss_timeout ("
                + bound
                + ")";
        log.error("stopping the gateway: {}", why);
        timer.shutdown();
        onLost.accept(new IllegalStateException(why, e));
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    admin.close(Duration.ofSeconds(1));
  }
}
