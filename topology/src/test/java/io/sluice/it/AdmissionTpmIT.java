package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.admission.TokenEstimate;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.Usage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant's {@code tpm} holds across two instances of one application together. Its requests are
 * built so that the estimate at admission is exactly what the simulator then reports: 20 words of
 * 76 characters are 19 + 4 prompt tokens by {@link TokenEstimate} and 20 + 3 by the simulator (a
 * token a word, 3 a turn), and {@code max_tokens: 20} is reserved and used (the echo is longer, so
 * the simulator cuts it to 20). Each request is then 43 tokens at admission and in its usage, the
 * corrections move nothing, and the number admitted in the minute is exact: {@code floor(tpm /
 * 43)}. A second tenant's requests reserve far more than they use (108 tokens for 8), so the usage
 * of each wave makes room for more in the next: the tokens used still stay within its tpm.
 */
@Tag("integration")
class AdmissionTpmIT {
  private static final int MAX_TOKENS = 20;
  private static final long ESTIMATE = 43;
  private static final int ADMITTED = 50;
  // room for 50 requests and part of one more: the 51st does not fit
  private static final long TPM = ADMITTED * ESTIMATE + 20;
  private static final int WAVES = 6;
  private static final int PER_WAVE = 40;
  private static final long LOOSE_TPM = 1_000;
  private static final long LOOSE_ESTIMATE = 108;

  @Test
  void givenATokenLimit_whenRequestsArriveOnBothInstances_thenTheTokensAdmittedStayWithinIt(
      @TempDir Path dir) throws Exception {
    try (LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(5, 0, 0, "500", 1, 0)));
        TwoGateways g =
            TwoGateways.start(
                dir,
                "admission-tpm-it",
                """
                providers: {sim: {type: openai, base_url: "%s/v1"}}
                models: {gpt: {deployments: [{provider: sim, model: m}]}}
                tenants:
                  tok: {tpm: %d}
                  loose: {tpm: %d}
                  other: {models: ["*"]}
                """
                    .formatted(sim.url(), TPM, LOOSE_TPM),
                "other")) {
      // Given a tenant with a tpm of 2,170 and requests of 43 tokens each, estimated and used
      assertThat(TokenEstimate.of(request(0), 1024)).isEqualTo(ESTIMATE);
      // and one with a tpm of 1,000 whose requests reserve 108 tokens and use 8
      assertThat(TokenEstimate.of(loose(0), 1024)).isEqualTo(LOOSE_ESTIMATE);

      // When 240 of them arrive over 120 sessions in waves, each wave as soon as the one before
      // is answered (so that earlier answers' usage and releases reach the admission task while
      // later requests are judged), with another tenant's requests between them
      int others = 0;
      for (int w = 0; w < WAVES; w++) {
        for (int j = 0; j < PER_WAVE; j++) {
          int i = w * PER_WAVE + j;
          g.send(request(i));
          g.send(loose(i));
          if (i % 4 == 0) {
            g.send(TwoGateways.request("other-" + i, "other-s" + i, "other"));
            others++;
          }
        }
        g.flush();
        g.awaitAnswers("tok-", (w + 1) * PER_WAVE, Duration.ofSeconds(60));
        g.awaitAnswers("loose-", (w + 1) * PER_WAVE, Duration.ofSeconds(60));
      }
      g.awaitAnswers("other-", others, Duration.ofSeconds(60));

      // Then exactly the 50 that fit are answered, and every other one is refused rate_limited
      // with a time to retry within the minute
      List<Response> tok = g.responses("tok-");
      assertThat(tok).hasSize(WAVES * PER_WAVE);
      assertThat(tok).filteredOn(r -> r.getStatus() == ResponseStatus.OK).hasSize(ADMITTED);
      assertThat(tok)
          .filteredOn(r -> r.getStatus() != ResponseStatus.OK)
          .hasSize(WAVES * PER_WAVE - ADMITTED)
          .allSatisfy(
              r -> {
                assertThat(r.getStatus()).isEqualTo(ResponseStatus.REJECTED);
                assertThat(r.getError().getCode()).isEqualTo("rate_limited");
                assertThat(r.getError().getRetryAfterMs()).isPositive().isLessThanOrEqualTo(60_000);
              });
      // and the tokens used, by llm.usage, are within the limit (the bound is the limit plus one
      // request's estimate; with estimates that are exact it is the limit itself)
      List<Usage> usage = g.usage("tok");
      assertThat(usage).hasSize(ADMITTED);
      assertThat(usage)
          .allSatisfy(u -> assertThat(u.getPromptTokens() + u.getCompletionTokens()).isEqualTo(43));
      long used =
          usage.stream().mapToLong(u -> u.getPromptTokens() + u.getCompletionTokens()).sum();
      assertThat(used).isLessThanOrEqualTo(TPM);
      // and the OK answers report the same
      assertThat(
              tok.stream()
                  .filter(r -> r.getStatus() == ResponseStatus.OK)
                  .mapToLong(r -> r.getUsage().getTotalTokens())
                  .sum())
          .isEqualTo(used);
      // and both instances' metrics count the refusals as tpm's
      assertThat(
              g.counter(
                  "sluice.admission.requests",
                  "tenant",
                  "tok",
                  "outcome",
                  "refused",
                  "limit",
                  "tpm"))
          .isEqualTo(WAVES * PER_WAVE - ADMITTED);
      // and the tenant whose usage corrects its estimates downwards was admitted more than its
      // first wave's 9 (1,000 / 108), yet used at most its tpm plus one estimate
      List<Response> loose = g.responses("loose-");
      assertThat(loose).hasSize(WAVES * PER_WAVE);
      long looseOk = loose.stream().filter(r -> r.getStatus() == ResponseStatus.OK).count();
      assertThat(looseOk).isGreaterThan(LOOSE_TPM / LOOSE_ESTIMATE);
      assertThat(loose)
          .filteredOn(r -> r.getStatus() != ResponseStatus.OK)
          .allSatisfy(r -> assertThat(r.getError().getCode()).isEqualTo("rate_limited"));
      List<Usage> looseUsage = g.usage("loose");
      assertThat(looseUsage).hasSize((int) looseOk);
      assertThat(looseUsage.stream().mapToLong(u -> u.getPromptTokens() + u.getCompletionTokens()))
          .allSatisfy(t -> assertThat(t).isEqualTo(8));
      assertThat(
              looseUsage.stream()
                  .mapToLong(u -> u.getPromptTokens() + u.getCompletionTokens())
                  .sum())
          .isLessThanOrEqualTo(LOOSE_TPM + LOOSE_ESTIMATE);
      System.out.printf(
          "AdmissionTpmIT: tok %d OK of %d, %d tokens (tpm %d); loose %d OK of %d, %d tokens (tpm"
              + " %d)%n",
          ADMITTED,
          tok.size(),
          used,
          TPM,
          looseOk,
          loose.size(),
          looseUsage.stream().mapToLong(u -> u.getPromptTokens() + u.getCompletionTokens()).sum(),
          LOOSE_TPM);
      // and the other tenant is not affected
      assertThat(g.responses("other-"))
          .hasSize(others)
          .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK));
    }
  }

  /**
   * Loose request {@code i}: 13 characters, 4 + 4 prompt tokens estimated and 100 reserved; the
   * simulator counts 2 + 3 and answers 3 ("Echo: question 0042"): 108 estimated, 8 used.
   */
  private static Request loose(int i) {
    return TwoGateways.request(
        "loose-" + i, "loose-s" + (i % 120), "loose", "gpt", "question %04d".formatted(i), 100);
  }

  /** Request {@code i}: 20 words, 76 characters, {@code max_tokens: 20}, its own session. */
  private static Request request(int i) {
    String content = "t%03d".formatted(i % 1000) + " abc".repeat(17) + " a a";
    return TwoGateways.request("tok-" + i, "tok-s" + (i % 120), "tok", "gpt", content, MAX_TOKENS);
  }
}
