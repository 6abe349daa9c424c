package io.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.ToolInvocation;
import io.sluice.events.ToolSpec;
import io.sluice.internal.Attempt;
import io.sluice.internal.Completion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Routing and resilience against simulators over real HTTP: an OpenAI-style one and an
 * Anthropic-style one (the same simulator serves both APIs; each provider is configured with its
 * own type).
 */
@Tag("integration")
class RoutingIT {
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private LlmSimulator sim(SimFaults faults) throws Exception {
    LlmSimulator s = LlmSimulator.start(LlmSimulator.Options.loopback(0, faults));
    open.add(s);
    return s;
  }

  private DispatcherHarness harness(String yaml) {
    DispatcherHarness h = new DispatcherHarness(yaml);
    open.add(h);
    return h;
  }

  private static final String FAST_BACKOFF =
      "routing: {backoff_base: 10ms, backoff_max: 50ms, breaker_window: 1000, breaker_min_calls: 1000}\n";

  @Test
  void shouldAnswerEveryRequestFromTheFallbackWhenThePrimaryFailsEveryCall() throws Exception {
    LlmSimulator broken = sim(new SimFaults(0, 0, 1, "500", 1, 0));
    LlmSimulator claude = sim(SimFaults.NONE);
    DispatcherHarness h =
        harness(
            """
            providers:
              primary: {type: openai, base_url: "%s/v1"}
              claude: {type: anthropic, base_url: "%s"}
            models:
              main: {deployments: [{provider: primary, model: gpt}], retries: 2, fallbacks: [backup]}
              backup: {deployments: [{provider: claude, model: claude-haiku}]}
            """
                    .formatted(broken.url(), claude.url())
                + FAST_BACKOFF);

    for (int i = 0; i < 20; i++) {
      h.dispatcher.submit(h.job("f" + i, "main", "hello " + i));
    }
    h.awaitAll(20);

    for (int i = 0; i < 20; i++) {
      Completion c = h.completions.get("f" + i);
      assertThat(c.getOk()).isTrue();
      assertThat(c.getProvider()).isEqualTo("claude");
      assertThat(c.getContent()).isEqualTo("Echo: hello " + i);
      assertThat(c.getAttempts())
          .extracting(Attempt::getProvider)
          .containsExactly("primary", "primary", "primary", "claude");
      assertThat(c.getAttempts())
          .extracting(Attempt::getHttpStatus)
          .containsExactly(500, 500, 500, 200);
    }
    assertThat(h.registry.get("sluice.retries").counter().count()).isEqualTo(40.0);
    assertThat(h.registry.get("sluice.fallbacks").counter().count()).isEqualTo(20.0);
  }

  @Test
  void shouldWaitForRetryAfterBeforeRetryingA429() throws Exception {
    // every second call fails with 429 and Retry-After: 1
    LlmSimulator limited = sim(new SimFaults(0, 0, 0.5, "429", 1, 0));
    DispatcherHarness h =
        harness(
            """
            providers: {p: {type: openai, base_url: "%s/v1"}}
            models: {m: {deployments: [{provider: p, model: x}], retries: 2}}
            """
                    .formatted(limited.url())
                + FAST_BACKOFF);
    h.submitAndAwait(h.job("warm-up", "m", "first call succeeds"));

    Completion c = h.submitAndAwait(h.job("limited", "m", "second call is limited"));

    assertThat(c.getOk()).isTrue();
    List<Attempt> a = c.getAttempts();
    assertThat(a).extracting(Attempt::getHttpStatus).containsExactly(429, 200);
    long waited = a.get(1).getStartMs() - a.get(0).getEndMs();
    assertThat(waited).as("ms between the 429 and the retry").isBetween(950L, 3000L);
  }

  @Test
  void shouldSkipAnOpenCircuitWithoutWaitingForTheTimeout() throws Exception {
    LlmSimulator hanging = sim(new SimFaults(0, 0, 1, "hang", 1, 0));
    LlmSimulator ok = sim(SimFaults.NONE);
    DispatcherHarness h =
        harness(
            """
            providers:
              dead: {type: openai, base_url: "%s/v1", timeout_ms: 800}
              alive: {type: openai, base_url: "%s/v1"}
            models:
              main: {deployments: [{provider: dead, model: x}], retries: 0, fallbacks: [spare]}
              spare: {deployments: [{provider: alive, model: y}]}
            routing: {breaker_window: 3, breaker_min_calls: 3, breaker_failure_rate: 50, breaker_open_for: 60s}
            """
                .formatted(hanging.url(), ok.url()));
    for (int i = 0; i < 3; i++) {
      Completion slow = h.submitAndAwait(h.job("trip-" + i, "main", "x"));
      assertThat(slow.getAttempts().get(0).getErrorCode()).isEqualTo("timeout");
    }

    long start = System.currentTimeMillis();
    Completion fast = h.submitAndAwait(h.job("after-open", "main", "x"));
    long took = System.currentTimeMillis() - start;

    assertThat(fast.getOk()).isTrue();
    assertThat(fast.getAttempts()).extracting(Attempt::getProvider).containsExactly("alive");
    assertThat(took).as("ms for a request once the circuit is open").isLessThan(800);
  }

  @Test
  void shouldSplitWeightedTrafficByWeight() throws Exception {
    LlmSimulator s = sim(SimFaults.NONE);
    DispatcherHarness h =
        harness(
            """
            providers:
              a: {type: openai, base_url: "%s/v1"}
              b: {type: openai, base_url: "%s/v1"}
            models:
              m: {strategy: weighted, deployments: [{provider: a, model: x, weight: 3}, {provider: b, model: x, weight: 1}]}
            """
                .formatted(s.url(), s.url()));

    for (int i = 0; i < 400; i++) {
      h.dispatcher.submit(h.job("w" + i, "m", "x"));
    }
    h.awaitAll(400);

    long a = h.completions.values().stream().filter(c -> c.getProvider().equals("a")).count();
    assertThat(a).as("calls to the weight-3 deployment of 400").isBetween(270L, 330L);
  }

  @Test
  void shouldPreferTheLeastBusyDeployment() throws Exception {
    LlmSimulator slow = sim(new SimFaults(1500, 0, 0, "500", 1, 0));
    DispatcherHarness h =
        harness(
            """
            providers:
              a: {type: openai, base_url: "%s/v1"}
              b: {type: openai, base_url: "%s/v1"}
            models:
              only-a: {deployments: [{provider: a, model: x}]}
              balanced: {strategy: least_busy, deployments: [{provider: a, model: x}, {provider: b, model: x}]}
            """
                .formatted(slow.url(), slow.url()));
    for (int i = 0; i < 6; i++) {
      h.dispatcher.submit(h.job("busy-" + i, "only-a", "x")); // six calls in flight on a
    }

    for (int i = 0; i < 5; i++) {
      h.dispatcher.submit(h.job("lb-" + i, "balanced", "x"));
    }
    h.awaitAll(11);

    for (int i = 0; i < 5; i++) {
      assertThat(h.completions.get("lb-" + i).getProvider()).isEqualTo("b");
    }
  }

  @Test
  void shouldFallBackAtOnceOnAContextWindowError() throws Exception {
    LlmSimulator small = sim(new SimFaults(0, 0, 0, "500", 1, 5));
    LlmSimulator large = sim(SimFaults.NONE);
    DispatcherHarness h =
        harness(
            """
            providers:
              small: {type: openai, base_url: "%s/v1"}
              large: {type: anthropic, base_url: "%s"}
            models:
              m: {deployments: [{provider: small, model: s}], retries: 3, fallbacks: [big]}
              big: {deployments: [{provider: large, model: l}]}
            """
                    .formatted(small.url(), large.url())
                + FAST_BACKOFF);

    Completion c =
        h.submitAndAwait(h.job("ctx", "m", "a prompt that is far too long for five tokens"));

    assertThat(c.getOk()).isTrue();
    assertThat(c.getAttempts())
        .extracting(Attempt::getErrorCode)
        .containsExactly("context_length_exceeded", null);
    assertThat(c.getProvider()).isEqualTo("large");
  }

  @Test
  void shouldRoundTripAToolUseConversationThroughTheAnthropicAdapter() throws Exception {
    LlmSimulator s = sim(SimFaults.NONE);
    DispatcherHarness h =
        harness(
            """
            providers: {claude: {type: anthropic, base_url: "%s", api_key: k}}
            models: {c: {deployments: [{provider: claude, model: claude-3-5-haiku-latest}]}}
            """
                .formatted(s.url()));
    List<ToolSpec> tools =
        List.of(new ToolSpec("calculator", "evaluates arithmetic", "{\"type\":\"object\"}"));
    ChatMessage system = new ChatMessage("system", "use tools when asked", null, null, List.of());
    ChatMessage ask = new ChatMessage("user", "use the calculator: 6*7", null, null, List.of());

    Completion first =
        h.submitAndAwait(
            new DispatchJob(
                "t1",
                "s",
                0,
                1,
                "c",
                List.of(system, ask),
                null,
                tools,
                System.currentTimeMillis() + 30_000,
                5,
                false,
                null,
                null));

    assertThat(first.getFinishReason()).isEqualTo("tool_calls");
    ToolInvocation call = first.getToolCalls().get(0);
    assertThat(call.getName()).isEqualTo("calculator");
    assertThat(call.getArgumentsJson()).isEqualTo("{\"input\":\"6*7\"}");

    List<ChatMessage> conversation =
        List.of(
            system,
            ask,
            new ChatMessage("assistant", "", null, null, List.of(call)),
            new ChatMessage("tool", "42", call.getId(), "calculator", List.of()));
    Completion second =
        h.submitAndAwait(
            new DispatchJob(
                "t2",
                "s",
                0,
                1,
                "c",
                conversation,
                null,
                tools,
                System.currentTimeMillis() + 30_000,
                5,
                false,
                null,
                null));

    assertThat(second.getContent()).isEqualTo("Tool results: calculator=42");
    assertThat(second.getFinishReason()).isEqualTo("stop");
    assertThat(second.getUsage().getPromptTokens()).isPositive();
  }

  @Test
  void shouldLetAHighPriorityRequestOvertakeQueuedLowPriorityOnes() throws Exception {
    LlmSimulator s = sim(new SimFaults(150, 0, 0, "500", 1, 0));
    DispatcherHarness h =
        harness(
            """
            providers: {one: {type: openai, base_url: "%s/v1", max_concurrency: 1}}
            models: {m: {deployments: [{provider: one, model: x}]}}
            """
                .formatted(s.url()));
    h.dispatcher.submit(h.job("running", "m", "x", 5));
    for (int i = 0; i < 5; i++) {
      h.dispatcher.submit(h.job("low-" + i, "m", "x", 0));
    }
    h.dispatcher.submit(h.job("urgent", "m", "x", 9));

    h.awaitAll(7);

    assertThat(h.order.subList(0, 2)).containsExactly("running", "urgent");
    assertThat(h.order.subList(2, 7)).containsExactly("low-0", "low-1", "low-2", "low-3", "low-4");
  }
}
