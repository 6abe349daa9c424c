package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos scenario 3: three {@code sluice run} instances of one application (exactly once) under
 * load; one more is added, one is killed with {@code kill -9}, one is stopped cleanly. Each change
 * is a rebalance that moves tasks, and the state of their stores, between instances. Every accepted
 * request must be answered exactly once, in order within its session. Membership is dynamic, with a
 * 10 s session timeout, so the killed instance's tasks move after 10 s. {@code
 * -Dsluice.chaos.rounds=N} (1 in CI): each further round first starts instances until three run.
 */
@Tag("integration")
class ChaosRebalanceIT {
  private static final int ROUNDS = Integer.getInteger("sluice.chaos.rounds", 1);
  private static final int RATE = Integer.getInteger("sluice.chaos.rate", 5);

  @Test
  void shouldLoseNothingAndKeepSessionOrderWhileInstancesComeAndGo(@TempDir Path dir)
      throws Exception {
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(200, 100, 0, "500", 1, 0)));
        ChaosFleet fleet =
            new ChaosFleet(
                dir,
                "rebalance",
                broker.bootstrapServers(),
                sim.url(),
                6,
                false,
                Map.of("session.timeout.ms", "10000", "heartbeat.interval.ms", "2000"))) {
      // Given three instances answering a steady load
      fleet.start("i0", "i1", "i2");
      List<String> up = new ArrayList<>(List.of("i0", "i1", "i2"));
      int next = 3;
      try (ChaosLoad load =
          ChaosLoad.start(
              "rebalance",
              broker.bootstrapServers(),
              new ChaosLoad.Options(100, RATE, 100_000, "gpt", 600_000))) {
        List<String> events = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
          List<String> more = new ArrayList<>();
          while (up.size() + more.size() < 3) {
            more.add("i" + next++);
          }
          fleet.start(more.toArray(String[]::new));
          up.addAll(more);
          load.progress("running " + up);
          load.awaitProgress(RATE * 2, Duration.ofSeconds(180));
          // When a fourth joins,
          String added = "i" + next++;
          fleet.start(added);
          up.add(added);
          events.add("+" + added);
          load.progress("added " + added);
          load.awaitProgress(RATE * 2, Duration.ofSeconds(180));
          // one is killed,
          String killed = up.remove(0);
          fleet.kill9(killed);
          events.add("kill9:" + killed);
          load.progress("killed " + killed);
          load.awaitProgress(RATE * 2, Duration.ofSeconds(180));
          // and one is stopped cleanly
          String stopped = up.remove(0);
          boolean clean = fleet.stop(stopped);
          events.add("stop:" + stopped);
          assertThat(clean).as(stopped + " stopped cleanly").isTrue();
          load.progress("stopped " + stopped);
          load.awaitProgress(RATE * 2, Duration.ofSeconds(180));
        }
        assertThat(fleet.died()).as("instances that exited by themselves").isEmpty();

        // Then every accepted request has exactly one answer, in order within its session
        ChaosLoad.Summary s =
            load.finish(
                Duration.ofSeconds(240),
                Duration.ofSeconds(3),
                "rounds=%d instances=%d changes=%s".formatted(ROUNDS, next, events));
        assertThat(s.accepted()).isPositive();
        assertThat(s.lost()).as("lost").isZero();
        assertThat(s.duplicated()).as("duplicated under exactly-once").isZero();
        assertThat(s.outOfOrder()).as("answers out of session order").isZero();
        assertThat(s.statuses()).as(s.line()).containsOnlyKeys("OK");
      }
    }
  }
}
