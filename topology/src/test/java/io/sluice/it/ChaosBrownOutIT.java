package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos scenario 4: a provider brown-out. The model's only deployment answers half its calls with
 * 503 and {@code Retry-After: 1} at once and the other half after 1.5 to 3 s (its timeout is 2.5
 * s); the alias retries twice and falls back to a healthy provider. Every request must be answered
 * by a retry or the fallback within its 6 s deadline, or with an {@code ERROR} of code {@code
 * timeout}; none lost, none twice, session order kept. {@code -Dsluice.chaos.brownout.s=S} (30 in
 * CI) is how long the load runs.
 */
@Tag("integration")
class ChaosBrownOutIT {
  private static final int SECONDS = Integer.getInteger("sluice.chaos.brownout.s", 30);
  private static final int RATE = Integer.getInteger("sluice.chaos.rate", 5);
  private static final long DEADLINE_MS = 6_000;

  /** The last hop after the deadline: the punctuation that notices it, a commit, the response. */
  private static final long SLACK_MS = 3_000;

  @Test
  void shouldAnswerEveryRequestByRetriesOrTheFallbackOrWithTimeout(@TempDir Path dir)
      throws Exception {
    SimFaults brownOut = new SimFaults(1500, 1500, 0.5, "503", 1, 0, 5);
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator brown =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(100, 50, 0, "500", 1, 0)));
        LlmSimulator healthy =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(100, 50, 0, "500", 1, 0)));
        SluiceApp app =
            Topics.startGateway(
                broker.bootstrapServers(), config(dir, broker, brown.url(), healthy.url()))) {
      // Given a warm gateway (the first transactions on a fresh broker take seconds) ...
      try (ChaosLoad warmUp =
          ChaosLoad.start(
              "brownout-warmup",
              broker.bootstrapServers(),
              new ChaosLoad.Options(10, 10, 20, "gpt", 600_000))) {
        warmUp.awaitAllSent(Duration.ofSeconds(60));
        warmUp.awaitAllAnswered(Duration.ofSeconds(120), Duration.ZERO);
      }
      // ... and a brown-out of the model's provider (what POST /admin/faults would set)
      brown.faults(brownOut);
      long brownBefore = brown.statsJson().get("requests").asLong();
      long healthyBefore = healthy.statsJson().get("requests").asLong();

      // When a steady load has been sent
      try (ChaosLoad load =
          ChaosLoad.start(
              "brownout",
              broker.bootstrapServers(),
              new ChaosLoad.Options(30, RATE, RATE * SECONDS, "gpt", DEADLINE_MS))) {
        load.awaitAllSent(Duration.ofSeconds(SECONDS * 3L + 60));

        // Then every request is answered: OK by a retry or the fallback, or ERROR timeout
        load.awaitAllAnswered(Duration.ofSeconds(120), Duration.ofSeconds(3));
        Collection<Response> answers = load.firstAnswers();
        ChaosLoad.Summary s =
            load.report(
                details(
                    answers,
                    brown.statsJson().get("requests").asLong() - brownBefore,
                    healthy.statsJson().get("requests").asLong() - healthyBefore));
        assertThat(s.accepted()).isEqualTo(RATE * SECONDS);
        assertThat(s.lost()).as("lost").isZero();
        assertThat(s.duplicated()).as("duplicated under exactly-once").isZero();
        assertThat(s.outOfOrder()).as("answers out of session order").isZero();
        assertThat(s.statuses().keySet()).isSubsetOf("OK", "ERROR:timeout");
        assertThat(answers)
            .as("answered within the deadline, give or take the last hop")
            .allMatch(r -> r.getLatencyMs() <= DEADLINE_MS + SLACK_MS);
        assertThat(answers)
            .as("OK answers that needed a retry or the fallback")
            .anyMatch(r -> r.getStatus() == ResponseStatus.OK && r.getAttempts() > 1);
        assertThat(answers)
            .as("answers from the fallback")
            .anyMatch(r -> "healthy".equals(r.getProvider()));
        assertThat(app.state().isRunningOrRebalancing()).isTrue();
      }
    }
  }

  private static String details(Collection<Response> answers, long brownCalls, long fallbackCalls) {
    long retried = answers.stream().filter(r -> r.getAttempts() > 1).count();
    long byBrown = answers.stream().filter(r -> "brown".equals(r.getProvider())).count();
    long byFallback = answers.stream().filter(r -> "healthy".equals(r.getProvider())).count();
    long overDeadline =
        answers.stream().mapToLong(r -> r.getLatencyMs() - DEADLINE_MS).max().orElse(0);
    return ("deadline_ms=%d answered_by_browned_out=%d by_fallback=%d after_retries=%d"
            + " max_ms_past_deadline=%d browned_out_calls=%d fallback_calls=%d")
        .formatted(
            DEADLINE_MS, byBrown, byFallback, retried, overDeadline, brownCalls, fallbackCalls);
  }

  private static SluiceConfig config(
      Path dir, EmbeddedKafkaBroker broker, String brownUrl, String healthyUrl) throws Exception {
    String yaml =
        """
        kafka:
          bootstrap_servers: %s
          application_id: chaos-brownout
          state_dir: %s
        topics:
          partitions: 4
        providers:
          brown: {type: openai, base_url: "%s/v1", timeout_ms: 2500, max_concurrency: 64}
          healthy: {type: openai, base_url: "%s/v1", timeout_ms: 2500, max_concurrency: 64}
        models:
          gpt: {deployments: [{provider: brown, model: sim-brown}], retries: 2, fallbacks: [backup]}
          backup: {deployments: [{provider: healthy, model: sim-healthy}]}
        http: {port: 0}
        """
            .formatted(
                broker.bootstrapServers(),
                Files.createDirectories(dir.resolve("state")),
                brownUrl,
                healthyUrl);
    return SluiceConfig.parse(yaml, "chaos-brownout.yaml", Map.of());
  }
}
