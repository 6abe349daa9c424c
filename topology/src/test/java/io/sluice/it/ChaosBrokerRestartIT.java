package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos scenario 2: the broker stopped (a clean shutdown) and started again on the same port and
 * data directory in the middle of load, while {@code sluice run} (exactly once) keeps running. The
 * gateway must recover by itself, without a restart: every accepted request answered exactly once,
 * in session order. The broker is down for its own shutdown and start-up plus {@code
 * -Dsluice.chaos.outage.s=S} (0 in CI) of requests sent meanwhile; {@code
 * -Dsluice.chaos.broker.restarts=N} (1 in CI).
 */
@Tag("integration")
class ChaosBrokerRestartIT {
  private static final int RESTARTS = Integer.getInteger("sluice.chaos.broker.restarts", 1);
  private static final int OUTAGE_S = Integer.getInteger("sluice.chaos.outage.s", 0);
  private static final int RATE = Integer.getInteger("sluice.chaos.rate", 5);

  @Test
  void shouldRecoverByItselfWhenTheBrokerRestartsUnderLoad(@TempDir Path dir) throws Exception {
    int port = freePort();
    String bootstrap = "127.0.0.1:" + port;
    EmbeddedKafkaBroker broker = startBroker(port, dir);
    try (LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(200, 100, 0, "500", 1, 0)));
        ChaosFleet fleet =
            new ChaosFleet(dir, "broker-restart", bootstrap, sim.url(), 4, true, Map.of())) {
      // Given a gateway answering a steady load
      fleet.start("a");
      try (ChaosLoad load =
          ChaosLoad.start(
              "broker-restart",
              bootstrap,
              new ChaosLoad.Options(100, RATE, 100_000, "gpt", 600_000))) {
        long downMs = 0;
        for (int restart = 1; restart <= RESTARTS; restart++) {
          load.awaitProgress(RATE * 2, Duration.ofSeconds(180));
          // When the broker stops while requests keep coming (the producer holds them) ...
          broker.close();
          long down = System.nanoTime();
          load.progress("broker " + restart + " stopped");
          int sentBefore = load.sent();
          await()
              .atMost(Duration.ofSeconds(OUTAGE_S * 3L + 60))
              .until(() -> load.sent() >= sentBefore + RATE * OUTAGE_S);
          // ... and comes back on the same port and data directory
          broker = startBroker(port, dir);
          downMs += Duration.ofNanos(System.nanoTime() - down).toMillis();
          load.progress("broker " + restart + " back");
        }
        // Then the same gateway answers again, by itself
        load.awaitProgress(RATE * 2, Duration.ofSeconds(240));
        assertThat(fleet.died()).as("gateways that exited by themselves").isEmpty();

        // and every accepted request has exactly one answer, in order within its session
        ChaosLoad.Summary s =
            load.finish(
                Duration.ofSeconds(240),
                Duration.ofSeconds(3),
                "broker_restarts=%d broker_down_ms=%d".formatted(RESTARTS, downMs));
        assertThat(s.accepted()).isPositive();
        assertThat(s.lost()).as("lost").isZero();
        assertThat(s.duplicated()).as("duplicated under exactly-once").isZero();
        assertThat(s.outOfOrder()).as("answers out of session order").isZero();
        assertThat(s.statuses()).as(s.line()).containsOnlyKeys("OK");
      }
    } finally {
      broker.close();
    }
  }

  private static EmbeddedKafkaBroker startBroker(int port, Path dir) throws IOException {
    return EmbeddedKafkaBroker.start(
        new EmbeddedKafkaBroker.Options(port, dir.resolve("kafka"), Map.of()));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
