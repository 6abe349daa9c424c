package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.admission.KeyLimits;
import io.sluice.admission.Limits;
import io.sluice.dispatch.DispatchJob;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import io.sluice.internal.Attempt;
import io.sluice.internal.Completion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The tenant admission stage on the real topology: limits, corrections, releases, budgets. */
class AdmissionTopologyTest {
  static String config(String tenants) {
    return TopologyFixture.CONFIG + "tenants:\n" + tenants;
  }

  /** The fixture of the test running: requests are created at its clock's time. */
  private TopologyFixture f;

  private TopologyFixture fixture(String tenants, KeyLimits keys) {
    f = TopologyFixture.withAdmission(config(tenants), keys);
    return f;
  }

  private Request request(String id, String tenant) {
    Request r = TopologyFixture.request(id, "s-" + id, "hi");
    r.setTenantId(tenant);
    r.setCreatedAt(f.now());
    return r;
  }

  private static List<Response> refused(List<Response> rs) {
    return rs.stream().filter(r -> r.getStatus() == ResponseStatus.REJECTED).toList();
  }

  @Test
  void shouldAdmitExactlyTheRpmAndRefuseTheRestWithARetryTime() {
    // Given a tenant with rpm 3 and another without limits
    try (TopologyFixture f =
        fixture("  acme: {rpm: 3}\n  other: {models: [\"*\"]}\n", KeyLimits.NONE)) {
      // When five of its requests arrive in one second, in five sessions, and five of the other's
      for (int i = 0; i < 5; i++) {
        f.send(request("a" + i, "acme"));
        f.send(request("o" + i, "other"));
      }

      // Then three of acme's and all of the other's are dispatched
      assertThat(f.dispatcher.jobs)
          .extracting(DispatchJob::requestId)
          .containsExactlyInAnyOrder("a0", "a1", "a2", "o0", "o1", "o2", "o3", "o4");
      // and two are REJECTED rate_limited, retryable after the first second leaves the window
      List<Response> no = refused(f.responses.readValuesToList());
      assertThat(no).extracting(Response::getRequestId).containsExactlyInAnyOrder("a3", "a4");
      assertThat(no)
          .allSatisfy(
              r -> {
                assertThat(r.getError().getCode()).isEqualTo("rate_limited");
                assertThat(r.getError().getRetryAfterMs()).isEqualTo(60_000L);
                assertThat(r.getError().getMessage()).contains("rpm of 3");
                assertThat(r.getTraceId()).isNotNull();
              });
      assertThat(count(f, "acme", "refused", "rpm")).isEqualTo(2.0);

      // When a minute has passed; Then the tenant is admitted again
      f.advance(Duration.ofSeconds(60));
      f.send(request("a5", "acme"));
      assertThat(f.dispatcher.last().requestId()).isEqualTo("a5");
    }
  }

  @Test
  void shouldHoldTheRpmInEverySixtySecondsNotPerCalendarMinute() {
    // Given a tenant with rpm 2 that sent one request at 12:00:59.5
    try (TopologyFixture f = fixture("  acme: {rpm: 2}\n", KeyLimits.NONE)) {
      f.advance(Duration.ofMillis(59_500));
      f.send(request("a0", "acme"));
      // When two more arrive a second later, in the next calendar minute
      f.advance(Duration.ofSeconds(1));
      f.send(request("a1", "acme"));
      f.send(request("a2", "acme"));

      // Then only one of them is admitted, and the other may retry when the first leaves
      assertThat(f.dispatcher.jobs).hasSize(2);
      Response no = refused(f.responses.readValuesToList()).get(0);
      assertThat(no.getRequestId()).isEqualTo("a2");
      // a0 sits in second 59, which leaves the window at 12:01:59.000, 58.5 s from now
      assertThat(no.getError().getRetryAfterMs()).isEqualTo(58_500L);
    }
  }

  @Test
  void shouldReserveTheTokenEstimateAndCorrectItWhenTheUsageArrives() {
    // Given a tenant with tpm 100 and requests that reserve 1 + 4 + 40 = 45 tokens each
    try (TopologyFixture f = fixture("  acme: {tpm: 100}\n", KeyLimits.NONE)) {
      for (int i = 0; i < 3; i++) {
        f.send(withMaxTokens(request("t" + i, "acme"), 40));
      }
      // Then two fit and the third is refused for tpm
      assertThat(f.dispatcher.jobs).hasSize(2);
      Response no = refused(f.responses.readValuesToList()).get(0);
      assertThat(no.getRequestId()).isEqualTo("t2");
      assertThat(no.getError().getCode()).isEqualTo("rate_limited");
      assertThat(no.getError().getMessage()).contains("tpm of 100");

      // When the first is answered with 9 tokens used, not 45
      f.complete(f.dispatcher.jobs.get(0), "done");

      // Then its usage replaced the estimate: 9 + 45 used, so another 45 fits
      f.send(withMaxTokens(request("t3", "acme"), 40));
      assertThat(f.dispatcher.last().requestId()).isEqualTo("t3");
      // and one more does not (9 + 45 + 45 + 45 > 100)
      f.send(withMaxTokens(request("t4", "acme"), 40));
      assertThat(f.dispatcher.last().requestId()).isEqualTo("t3");
    }
  }

  @Test
  void shouldRefuseARequestWhoseEstimateAloneIsOverTheTpmWithoutARetryTime() {
    try (TopologyFixture f = fixture("  acme: {tpm: 100}\n", KeyLimits.NONE)) {
      // Given a request that reserves more than the tpm; When it arrives
      f.send(withMaxTokens(request("big", "acme"), 500));

      // Then it is refused, with no retry time: waiting would not help
      Response no = refused(f.responses.readValuesToList()).get(0);
      assertThat(no.getError().getCode()).isEqualTo("rate_limited");
      assertThat(no.getError().getRetryAfterMs()).isNull();
      assertThat(no.getError().getMessage()).contains("lower max_tokens");
    }
  }

  @Test
  void shouldFreeTheParallelSlotWhenTheRequestIsAnswered() {
    // Given a tenant with max_parallel 2 and two requests in flight
    try (TopologyFixture f = fixture("  acme: {max_parallel: 2}\n", KeyLimits.NONE)) {
      f.send(request("p0", "acme"));
      f.send(request("p1", "acme"));
      // When a third arrives; Then it is refused with a retry hint
      f.send(request("p2", "acme"));
      Response no = refused(f.responses.readValuesToList()).get(0);
      assertThat(no.getRequestId()).isEqualTo("p2");
      assertThat(no.getError().getMessage()).contains("max_parallel of 2");
      assertThat(no.getError().getRetryAfterMs()).isEqualTo(1_000L);

      // When one is answered; Then the next is admitted, and the one after is not
      f.complete(f.dispatcher.jobs.get(0), "done");
      f.send(request("p3", "acme"));
      f.send(request("p4", "acme"));
      assertThat(f.dispatcher.jobs)
          .extracting(DispatchJob::requestId)
          .containsExactly("p0", "p1", "p3");
      assertThat(refused(f.responses.readValuesToList()))
          .extracting(Response::getRequestId)
          .containsExactly("p4");
    }
  }

  @Test
  void shouldFreeASlotWhoseReleaseNeverCameAfterTheDeadline() {
    // Given a tenant with max_parallel 1 whose one request is in flight (2 min deadline)
    try (TopologyFixture f = fixture("  acme: {max_parallel: 1}\n", KeyLimits.NONE)) {
      Request r = request("lost", "acme");
      r.setTimeoutMs(1_000L);
      f.send(r);
      // When its deadline and the grace period pass without an answer reaching admission
      // (the session processor times it out, whose release frees it; so would the sweep)
      f.advance(Duration.ofSeconds(62));
      f.send(request("next", "acme"));

      // Then the next request is admitted
      assertThat(f.dispatcher.last().requestId()).isEqualTo("next");
    }
  }

  @Test
  void shouldRefuseOnceTheBudgetIsSpentAndAdmitCallsAlreadyInFlight() {
    // Given a tenant with a daily budget of 0.01 USD and two requests in flight
    try (TopologyFixture f =
        fixture("  acme: {budget_usd: 0.01, budget_period: day}\n", KeyLimits.NONE)) {
      f.send(request("b0", "acme"));
      f.send(request("b1", "acme"));
      // When both are answered at 0.006 USD each (0.012: past the budget by the call in flight)
      f.completions.pipeInput("s-b0", costing(f.dispatcher.jobs.get(0), 0.006));
      f.send(request("b2", "acme")); // spend 0.006: still admitted
      f.completions.pipeInput("s-b1", costing(f.dispatcher.jobs.get(1), 0.006));
      f.send(request("b3", "acme"));

      // Then the request after the budget is reached is refused budget_exceeded until midnight
      assertThat(f.dispatcher.jobs)
          .extracting(DispatchJob::requestId)
          .containsExactly("b0", "b1", "b2");
      Response no = refused(f.responses.readValuesToList()).get(0);
      assertThat(no.getRequestId()).isEqualTo("b3");
      assertThat(no.getError().getCode()).isEqualTo("budget_exceeded");
      assertThat(no.getError().getRetryAfterMs()).isEqualTo(Duration.ofHours(12).toMillis());
      assertThat(gauge(f, "sluice.tenant.budget.remaining.usd", "acme")).isEqualTo(0.0);
      assertThat(gauge(f, "sluice.tenant.spend.usd", "acme")).isCloseTo(0.012, within());

      // When the day ends; Then the budget starts again
      f.advance(Duration.ofHours(12));
      f.send(request("b4", "acme"));
      assertThat(f.dispatcher.last().requestId()).isEqualTo("b4");
    }
  }

  @Test
  void shouldApplyTheKeysLimitsAsWellAsItsTenants() {
    // Given a tenant with rpm 10 and a key of it with rpm 1
    KeyLimits keys =
        id ->
            id.equals("key-1")
                ? Optional.of(new Limits(1L, null, null, null, null))
                : Optional.empty();
    try (TopologyFixture f = fixture("  acme: {rpm: 10}\n", keys)) {
      // When two requests come with the key and one without
      Request k0 = request("k0", "acme");
      k0.setKeyId("key-1");
      Request k1 = request("k1", "acme");
      k1.setKeyId("key-1");
      f.send(k0);
      f.send(k1);
      f.send(request("n0", "acme"));

      // Then the key's second request is refused by the key's limit; the tenant's is not reached
      assertThat(f.dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("k0", "n0");
      Response no = refused(f.responses.readValuesToList()).get(0);
      assertThat(no.getRequestId()).isEqualTo("k1");
      assertThat(no.getError().getMessage()).contains("the key's rpm of 1");
    }
  }

  @Test
  void shouldNotCountARepeatOfARequestInFlight() {
    // Given a tenant with rpm 1 whose request is in flight
    try (TopologyFixture f = fixture("  acme: {rpm: 1}\n", KeyLimits.NONE)) {
      f.send(request("r0", "acme"));
      // When the same request comes again (a client retry with the same id)
      f.send(request("r0", "acme"));

      // Then it is not refused: the session processor treats it as the repeat it is
      assertThat(refused(f.responses.readValuesToList())).isEmpty();
      assertThat(f.dispatcher.jobs).hasSize(1);
    }
  }

  @Test
  void shouldSendARefusalToTheReplyTopicItsRecordNamed() {
    // Given a tenant with rpm 1 that used it; When a request naming a reply topic is refused
    try (TopologyFixture f = fixture("  acme: {rpm: 1}\n", KeyLimits.NONE)) {
      f.send(request("x0", "acme"));
      f.sendWithReply(request("x1", "acme"), "door-a", 3);

      // Then the front door's reply partition gets the REJECTED response too
      List<Response> replies = f.replyTopic("door-a").readValuesToList();
      assertThat(replies).extracting(Response::getRequestId).containsExactly("x1");
      assertThat(replies.get(0).getError().getCode()).isEqualTo("rate_limited");
      assertThat(refused(f.responses.readValuesToList()))
          .extracting(Response::getRequestId)
          .containsExactly("x1");
    }
  }

  private static Request withMaxTokens(Request r, int max) {
    r.setParams(new RequestParams(null, max, null, List.of(), null, Map.of()));
    return r;
  }

  /** A successful completion of one call of 7 + 2 tokens that cost {@code usd}. */
  private static Completion costing(DispatchJob job, double usd) {
    long now = TopologyFixture.START.toEpochMilli();
    return Completion.newBuilder(TopologyFixture.completed(job, "paid"))
        .setCostUsd(usd)
        .setUsage(new TokenUsage(7, 2, 9))
        .setAttempts(
            List.of(new Attempt("sim", "sim-gpt", now, now + 5, true, 200, null, 7, 2, usd)))
        .build();
  }

  private static double count(TopologyFixture f, String tenant, String outcome, String limit) {
    var c =
        f.registry
            .find("sluice.admission.requests")
            .tags("tenant", tenant, "outcome", outcome, "limit", limit)
            .counter();
    return c == null ? 0 : c.count();
  }

  private static double gauge(TopologyFixture f, String name, String tenant) {
    return f.registry.get(name).tag("tenant", tenant).gauge().value();
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }
}
