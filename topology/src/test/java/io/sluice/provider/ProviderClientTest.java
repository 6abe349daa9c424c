package io.sluice.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.app.Providers;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The same provider answers, through each HTTP client a provider can be configured with, classify
 * the same way: an answer, a rate limit with its Retry-After, a timeout, a refused connection.
 */
class ProviderClientTest {
  private LlmSimulator sim;
  private Providers providers;

  @AfterEach
  void close() {
    if (providers != null) {
      providers.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  private ProviderClient client(String baseUrl, String client, boolean http2, long timeoutMs) {
    SluiceConfig config =
        SluiceConfig.parse(
            """
            providers:
              p: {type: openai, base_url: "%s", timeout_ms: %d, client: %s, http2: %s}
            models:
              m: {deployments: [{provider: p, model: sim-model}]}
            """
                .formatted(baseUrl, timeoutMs, client, http2),
            "test.yaml",
            Map.of());
    providers = Providers.from(config);
    return providers.clients().get("p");
  }

  private ProviderClient simClient(SimFaults faults, String client, boolean http2, long timeoutMs)
      throws InterruptedException {
    sim = LlmSimulator.start(LlmSimulator.Options.loopback(0, faults));
    return client(sim.url() + "/v1", client, http2, timeoutMs);
  }

  private static ProviderClient.Outcome call(ProviderClient c) {
    return c.call(
            new ChatCall(
                "sim-model",
                List.of(new ChatMessage("user", "hello", null, null, List.of())),
                null,
                List.of()),
            Duration.ofSeconds(30))
        .join();
  }

  @ParameterizedTest(name = "{0}, http2={1}")
  @CsvSource({"netty,false", "netty,true", "okhttp,false", "okhttp,true"})
  void givenAnAnswer_whenCalled_thenTheResultIsParsed(String client, boolean http2)
      throws Exception {
    ProviderClient.Outcome o = call(simClient(SimFaults.NONE, client, http2, 5_000));

    assertThat(o.ok()).isTrue();
    assertThat(o.result().content()).isNotBlank();
    assertThat(o.result().promptTokens()).isPositive();
  }

  @ParameterizedTest(name = "{0}, http2={1}")
  @CsvSource({"netty,false", "netty,true", "okhttp,false", "okhttp,true"})
  void givenARateLimit_whenCalled_thenItIsRetriableWithItsRetryAfter(String client, boolean http2)
      throws Exception {
    ProviderClient.Outcome o =
        call(simClient(new SimFaults(0, 0, 1.0, "429", 3, 0), client, http2, 5_000));

    assertThat(o.ok()).isFalse();
    assertThat(o.failure().code()).isEqualTo("rate_limited");
    assertThat(o.failure().httpStatus()).isEqualTo(429);
    assertThat(o.failure().retryAfter()).isEqualTo(Duration.ofSeconds(3));
  }

  @ParameterizedTest(name = "{0}, http2={1}")
  @CsvSource({"netty,false", "netty,true", "okhttp,false", "okhttp,true"})
  void givenAProviderThatHangs_whenTheTimeoutPasses_thenItIsATimeout(String client, boolean http2)
      throws Exception {
    ProviderClient.Outcome o =
        call(simClient(new SimFaults(0, 0, 1.0, "hang", 1, 0), client, http2, 300));

    assertThat(o.ok()).isFalse();
    assertThat(o.failure().code()).isEqualTo("timeout");
    assertThat(o.failure().retryable()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"netty", "okhttp"})
  void givenNothingListening_whenCalled_thenTheProviderIsUnavailable(String client)
      throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }

    ProviderClient.Outcome o =
        call(client("http://127.0.0.1:" + port + "/v1", client, false, 5_000));

    assertThat(o.ok()).isFalse();
    assertThat(o.failure().code()).isEqualTo("provider_unavailable");
    assertThat(o.failure().message()).contains("connection refused");
  }
}
