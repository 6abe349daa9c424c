package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos scenario 1: {@code kill -9} of {@code sluice run} again and again under steady load,
 * exactly once. Each cycle waits until the gateway answers, kills it while provider calls are in
 * flight and starts it again on the same state directory. Every accepted request must be answered
 * exactly once, in order within its session. {@code -Dsluice.chaos.cycles=N} (3 in CI) and {@code
 * -Dsluice.chaos.rate=R} requests a second (5).
 */
@Tag("integration")
class ChaosKill9IT {
  private static final int CYCLES = Integer.getInteger("sluice.chaos.cycles", 3);
  private static final int RATE = Integer.getInteger("sluice.chaos.rate", 5);

  @Test
  void shouldAnswerEveryAcceptedRequestExactlyOnceThroughKill9Cycles(@TempDir Path dir)
      throws Exception {
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(300, 100, 0, "500", 1, 0)));
        ChaosFleet fleet =
            new ChaosFleet(dir, "kill9", broker.bootstrapServers(), sim.url(), 4, true, Map.of())) {
      // Given a gateway answering a steady load
      fleet.start("a");
      try (ChaosLoad load =
          ChaosLoad.start(
              "kill9",
              broker.bootstrapServers(),
              new ChaosLoad.Options(100, RATE, 100_000, "gpt", 600_000))) {
        int killedWithCallsInFlight = 0;
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
          load.awaitProgress(RATE, Duration.ofSeconds(180));
          // When it is killed with provider calls in flight, and started again
          if (sim.statsJson().get("in_flight").asLong() > 0) {
            killedWithCallsInFlight++;
          }
          fleet.kill9("a");
          load.progress("cycle " + cycle + ": killed");
          fleet.start("a");
          load.progress("cycle " + cycle + ": started again");
        }
        load.awaitProgress(RATE, Duration.ofSeconds(180));
        assertThat(fleet.died()).as("gateways that exited by themselves").isEmpty();

        // Then every accepted request has exactly one answer, in order within its session
        ChaosLoad.Summary s =
            load.finish(
                Duration.ofSeconds(180),
                Duration.ofSeconds(3),
                "cycles=%d killed_with_calls_in_flight=%d"
                    .formatted(CYCLES, killedWithCallsInFlight));
        assertThat(s.accepted()).isPositive();
        assertThat(s.lost()).as("lost").isZero();
        assertThat(s.duplicated()).as("duplicated under exactly-once").isZero();
        assertThat(s.outOfOrder()).as("answers out of session order").isZero();
        assertThat(s.statuses()).as(s.line()).containsOnlyKeys("OK");
        assertThat(killedWithCallsInFlight).as("kills with provider calls in flight").isPositive();
      }
    }
  }
}
