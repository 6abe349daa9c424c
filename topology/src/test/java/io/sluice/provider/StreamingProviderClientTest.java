package io.sluice.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.app.Providers;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.ToolSpec;
import io.sluice.provider.stream.StreamDelta;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A streamed call through each HTTP client and provider format, against the simulator over real
 * HTTP, yields the deltas in order and the same result as the call without streaming.
 */
class StreamingProviderClientTest {
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

  private ProviderClient client(SimFaults faults, String type, String client, boolean http2)
      throws InterruptedException {
    sim = LlmSimulator.start(LlmSimulator.Options.loopback(0, faults));
    String base = type.equals("openai") ? sim.url() + "/v1" : sim.url();
    SluiceConfig config =
        SluiceConfig.parse(
            """
            providers:
              p: {type: %s, base_url: "%s", timeout_ms: 10000, client: %s, http2: %s}
            models:
              m: {deployments: [{provider: p, model: sim-model}]}
            """
                .formatted(type, base, client, http2),
            "test.yaml",
            Map.of());
    providers = Providers.from(config);
    return providers.clients().get("p");
  }

  private static ChatCall chat(String text, boolean tools) {
    return new ChatCall(
        "sim-model",
        List.of(new ChatMessage("user", text, null, null, List.of())),
        null,
        tools
            ? List.of(
                new ToolSpec("lookup", "looks up", "{\"type\":\"object\"}"),
                new ToolSpec("weather", "the weather", "{\"type\":\"object\"}"))
            : List.of());
  }

  @ParameterizedTest(name = "{0} via {1}, http2={2}")
  @CsvSource({
    "openai,netty,false",
    "openai,netty,true",
    "openai,okhttp,false",
    "anthropic,netty,false",
    "anthropic,netty,true",
    "anthropic,okhttp,false"
  })
  void shouldStreamTextInPiecesAndEndWithTheNonStreamedResultWhenTheStreamIsClean(
      String type, String client, boolean http2) throws Exception {
    // Given a provider and a prompt long enough for several pieces
    ProviderClient c = client(SimFaults.NONE, type, client, http2);
    ChatCall call = chat("one two three four five six seven eight nine ten", false);
    List<StreamDelta> deltas = new CopyOnWriteArrayList<>();

    // When it is called with and without streaming
    ProviderClient.Outcome streamed = c.stream(call, Duration.ofSeconds(30), deltas::add).join();
    ProviderClient.Outcome whole = c.call(call, Duration.ofSeconds(30)).join();

    // Then the deltas arrive in pieces whose concatenation is the answer, and the results agree
    assertThat(streamed.ok()).as(String.valueOf(streamed.failure())).isTrue();
    assertThat(deltas).hasSizeGreaterThan(2);
    assertThat(deltas.stream().map(StreamDelta::content).collect(Collectors.joining()))
        .isEqualTo(whole.result().content())
        .startsWith("Echo: one two");
    assertThat(streamed.result()).isEqualTo(whole.result());
    assertThat(streamed.result().promptTokens()).isPositive();
    assertThat(streamed.result().completionTokens()).isEqualTo(11);
  }

  @ParameterizedTest(name = "{0} via {1}")
  @CsvSource({"openai,netty", "openai,okhttp", "anthropic,netty", "anthropic,okhttp"})
  void shouldStreamToolCallsAsIndexedPiecesWhenTheAnswerCallsTools(String type, String client)
      throws Exception {
    // Given a prompt naming two offered tools
    ProviderClient c = client(SimFaults.NONE, type, client, false);
    ChatCall call = chat("use lookup and weather: the city of Lisbon", true);
    List<StreamDelta> deltas = new CopyOnWriteArrayList<>();

    // When it is called with and without streaming
    ProviderClient.Outcome streamed = c.stream(call, Duration.ofSeconds(30), deltas::add).join();
    ProviderClient.Outcome whole = c.call(call, Duration.ofSeconds(30)).join();

    // Then each call's first piece names it, its arguments come in pieces, and the results agree
    assertThat(streamed.ok()).as(String.valueOf(streamed.failure())).isTrue();
    List<StreamDelta.ToolDelta> pieces =
        deltas.stream().flatMap(d -> d.toolCalls().stream()).toList();
    assertThat(pieces.get(0).name()).isEqualTo("lookup");
    assertThat(pieces.stream().filter(p -> p.index() == 1).findFirst().orElseThrow().name())
        .isEqualTo("weather");
    assertThat(
            pieces.stream()
                .filter(p -> p.index() == 0)
                .map(StreamDelta.ToolDelta::argumentsDelta)
                .collect(Collectors.joining()))
        .isEqualTo(whole.result().toolCalls().get(0).getArgumentsJson());
    assertThat(streamed.result()).isEqualTo(whole.result());
    assertThat(streamed.result().finishReason()).isEqualTo("tool_calls");
  }

  @ParameterizedTest(name = "{0} via {1}, http2={2}")
  @CsvSource({
    "openai,netty,false",
    "openai,netty,true",
    "openai,okhttp,false",
    "anthropic,netty,false",
    "anthropic,okhttp,false"
  })
  void shouldFailAfterTheDeltasSentWhenTheStreamIsCut(String type, String client, boolean http2)
      throws Exception {
    // Given a provider that cuts every stream after 2 deltas
    SimFaults cut =
        SimFaults.NONE.with(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("{\"stream-cut-after\": 2}"));
    ProviderClient c = client(cut, type, client, http2);
    List<StreamDelta> deltas = new CopyOnWriteArrayList<>();

    // When a long answer is streamed
    ProviderClient.Outcome o =
        c.stream(
                chat("one two three four five six seven eight nine ten", false),
                Duration.ofSeconds(30),
                deltas::add)
            .join();

    // Then the two deltas came, and the call is a retriable failure
    assertThat(deltas).hasSize(2);
    assertThat(o.ok()).isFalse();
    assertThat(o.failure().retryable()).isTrue();
  }
}
