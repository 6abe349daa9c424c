package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant's {@code max_parallel} holds across two instances of one application together, counted
 * where it matters: at the provider. The tenant's model is on a simulator that takes 5 s per call
 * and reports the most calls it has served at once ({@code GET /stats}, {@code max_in_flight}); a
 * burst of the tenant's requests, spread over both instances' sessions, is judged long before the
 * first call ends, so exactly {@code max_parallel} of it is admitted. Once those are answered and
 * their releases have reached the admission stage, the slots are free again.
 */
@Tag("integration")
class AdmissionParallelIT {
  private static final int MAX_PARALLEL = 3;
  private static final int BURST = 24;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void givenMaxParallel_whenABurstArrivesOnBothInstances_thenOnlyThatManyCallsAreInFlight(
      @TempDir Path dir) throws Exception {
    try (LlmSimulator fast =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(5, 0, 0, "500", 1, 0)));
        LlmSimulator slow =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(0, new SimFaults(5_000, 0, 0, "500", 1, 0)));
        TwoGateways g =
            TwoGateways.start(
                dir,
                "admission-parallel-it",
                """
                providers:
                  fast: {type: openai, base_url: "%s/v1"}
                  slow: {type: openai, base_url: "%s/v1", timeout_ms: 30000}
                models:
                  gpt: {deployments: [{provider: fast, model: m}]}
                  slow: {deployments: [{provider: slow, model: m}]}
                tenants:
                  par: {max_parallel: %d}
                  other: {models: ["*"]}
                """
                    .formatted(fast.url(), slow.url(), MAX_PARALLEL),
                "other")) {
      // Given a tenant with max_parallel 3 whose calls take 5 s each
      for (int wave = 1; wave <= 2; wave++) {
        String prefix = "par-" + wave + "-";
        // When a burst of 24 of its requests over 24 sessions arrives, with another tenant's
        for (int i = 0; i < BURST; i++) {
          g.send(
              TwoGateways.request(
                  prefix + i, prefix + "s" + i, "par", "slow", "question " + prefix + i, null));
          g.send(
              TwoGateways.request("other-" + wave + "-" + i, "other-s" + wave + "-" + i, "other"));
        }
        g.flush();
        g.awaitAnswers(prefix, BURST, Duration.ofSeconds(90));

        // Then the provider served at most 3 of its calls at any time, and 3 at once
        JsonNode stats = stats(slow);
        assertThat(stats.get("max_in_flight").asLong()).isEqualTo(MAX_PARALLEL);
        // and exactly 3 are answered, one call each; the rest are refused rate_limited, retry in 1
        // s
        List<Response> burst = g.responses(prefix);
        assertThat(burst).filteredOn(r -> r.getStatus() == ResponseStatus.OK).hasSize(MAX_PARALLEL);
        assertThat(stats.get("requests").asLong()).isEqualTo(MAX_PARALLEL);
        assertThat(burst)
            .filteredOn(r -> r.getStatus() != ResponseStatus.OK)
            .hasSize(BURST - MAX_PARALLEL)
            .allSatisfy(
                r -> {
                  assertThat(r.getStatus()).isEqualTo(ResponseStatus.REJECTED);
                  assertThat(r.getError().getCode()).isEqualTo("rate_limited");
                  assertThat(r.getError().getMessage()).contains("max_parallel of 3");
                  assertThat(r.getError().getRetryAfterMs()).isEqualTo(1_000L);
                });
        assertThat(
                g.counter(
                    "sluice.admission.requests",
                    "tenant",
                    "par",
                    "outcome",
                    "refused",
                    "limit",
                    "max_parallel"))
            .isEqualTo(wave * (BURST - MAX_PARALLEL));
        // and the other tenant is not affected
        g.awaitAnswers("other-" + wave + "-", BURST, Duration.ofSeconds(30));
        assertThat(g.responses("other-" + wave + "-"))
            .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK));

        // When the answers' releases have reached the admission stage (its gauge, on the instance
        // that owns the tenant, back to 0); Then the next wave finds its 3 slots free again
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  List<Double> inFlight = g.gauges("sluice.tenant.in.flight", "tenant", "par");
                  return !inFlight.isEmpty() && inFlight.stream().allMatch(v -> v == 0);
                });
        reset(slow);
      }
    }
  }

  private static JsonNode stats(LlmSimulator sim) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(sim.url() + "/stats")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  /** The simulator's counters from zero (its high-water mark from what is in flight now). */
  private static void reset(LlmSimulator sim) throws Exception {
    HTTP.send(
        HttpRequest.newBuilder(URI.create(sim.url() + "/admin/reset"))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
