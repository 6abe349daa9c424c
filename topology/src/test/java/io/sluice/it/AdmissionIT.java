package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
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
 * Tenant limits hold across two instances of one application together ({@code rpm} here; {@code
 * tpm} in {@link AdmissionTpmIT}, {@code max_parallel} in {@link AdmissionParallelIT}), and a
 * budget survives the loss of every instance's local state (restored from the changelog; {@link
 * AdmissionBudgetKill9IT} kills the processes).
 */
@Tag("integration")
class AdmissionIT {
  private static final double BUDGET = 0.05;

  @Test
  void shouldHoldARateLimitExactlyAcrossTwoInstancesAndABudgetAcrossALossOfState(@TempDir Path dir)
      throws Exception {
    try (LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(5, 0, 0, "500", 1, 0)));
        TwoGateways g =
            TwoGateways.start(
                dir,
                "admission-it",
                """
                providers: {sim: {type: openai, base_url: "%s/v1"}}
                models:
                  gpt:
                    deployments: [{provider: sim, model: m, price_per_mtok: {input: 1000, output: 1000}}]
                tenants:
                  acme: {rpm: 100}
                  other: {models: ["*"]}
                  payer: {budget_usd: %s, budget_period: month}
                  single: {max_parallel: 1}
                """
                    .formatted(sim.url(), BUDGET),
                "other")) {
      // Given a tenant with rpm 100; When 300 of its requests over 150 sessions arrive
      // within a few seconds, spread over both instances, with 50 of another tenant's
      for (int i = 0; i < 300; i++) {
        g.send(TwoGateways.request("acme-" + i, "acme-s" + (i % 150), "acme"));
        if (i % 6 == 0) {
          g.send(TwoGateways.request("other-" + i, "other-s" + i, "other"));
        }
      }
      g.flush();
      g.awaitAnswers("acme-", 300, Duration.ofSeconds(90));
      g.awaitAnswers("other-", 50, Duration.ofSeconds(30));

      // Then exactly 100 are answered and 200 refused rate_limited with a retry time
      List<Response> acme = g.responses("acme-");
      assertThat(acme).hasSize(300);
      assertThat(acme).filteredOn(r -> r.getStatus() == ResponseStatus.OK).hasSize(100);
      assertThat(acme)
          .filteredOn(r -> r.getStatus() == ResponseStatus.REJECTED)
          .hasSize(200)
          .allSatisfy(
              r -> {
                assertThat(r.getError().getCode()).isEqualTo("rate_limited");
                assertThat(r.getError().getRetryAfterMs()).isPositive();
              });
      // and the other tenant is not affected
      assertThat(g.responses("other-"))
          .hasSize(50)
          .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK));
      // and both instances' metrics add up to the same
      assertThat(
              g.counter(
                  "sluice.admission.requests",
                  "tenant",
                  "acme",
                  "outcome",
                  "refused",
                  "limit",
                  "rpm"))
          .isEqualTo(200.0);

      // Given a tenant with max_parallel 1; When it sends one request after another's answer
      for (int i = 0; i < 5; i++) {
        g.call(
            TwoGateways.request("single-" + i, "single-s" + i, "single"), Duration.ofSeconds(30));
      }
      // Then every one is admitted: each answer's release, through the releases topic,
      // freed the slot for the next
      assertThat(g.responses("single-"))
          .hasSize(5)
          .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK));

      // Given a tenant with a budget of 0.05 USD; When it sends one request at a time, each
      // after the admission stage has charged the one before (no call in flight)
      String refusedAt = null;
      double charged = 0;
      for (int i = 0; i < 30 && refusedAt == null; i++) {
        Response r =
            g.call(TwoGateways.request("pay-" + i, "pay-s" + i, "payer"), Duration.ofSeconds(30));
        if (r.getStatus() == ResponseStatus.REJECTED) {
          assertThat(r.getError().getCode()).isEqualTo("budget_exceeded");
          refusedAt = r.getRequestId();
        } else {
          charged += r.getCostUsd();
          awaitSpend(g, charged);
        }
      }
      // Then it is refused once its spend reaches the budget
      assertThat(refusedAt).as("a request refused for the budget").isNotNull();
      // and the spend in llm.usage passes the budget by less than one call
      double spent = g.usage("payer").stream().mapToDouble(Usage::getCostUsd).sum();
      double oneCall =
          g.responses("pay-").stream().mapToDouble(Response::getCostUsd).max().orElse(0);
      assertThat(spent).isGreaterThanOrEqualTo(BUDGET).isLessThan(BUDGET + oneCall);

      // When every instance stops and its local state is lost (as exactly-once discards it
      // after a kill -9), and one starts again
      g.stopInstances();
      g.deleteState();
      g.startInstances("one");
      Response r =
          g.call(TwoGateways.request("pay-after", "pay-after", "payer"), Duration.ofSeconds(60));

      // Then the budget is still spent: it was restored from the changelog
      assertThat(r.getStatus()).isEqualTo(ResponseStatus.REJECTED);
      assertThat(r.getError().getCode()).isEqualTo("budget_exceeded");
    }
  }

  /** Waits until the instance owning the tenant's admission task has charged {@code usd}. */
  private static void awaitSpend(TwoGateways g, double usd) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                g.gauges("sluice.tenant.spend.usd", "tenant", "payer").stream()
                        .mapToDouble(Double::doubleValue)
                        .max()
                        .orElse(0)
                    >= usd - 1e-9);
  }
}
