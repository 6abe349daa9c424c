package io.sluice.dev.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LlmSimulatorTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final MediaType JSON = MediaType.get("application/json");

  private LlmSimulator sim;
  private final OkHttpClient http =
      new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();

  @BeforeEach
  void start() throws Exception {
    sim = LlmSimulator.start(LlmSimulator.Options.loopback(0, SimFaults.NONE));
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private record Reply(int status, JsonNode body, Response raw) {}

  private Reply post(OkHttpClient client, String path, String body) throws IOException {
    Request req =
        new Request.Builder()
            .url(sim.url() + path)
            .post(RequestBody.create(body, JSON))
            .header("Authorization", "Bearer sk-test")
            .build();
    try (Response r = client.newCall(req).execute()) {
      return new Reply(r.code(), MAPPER.readTree(r.body().string()), r);
    }
  }

  private JsonNode get(String path) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(sim.url() + path).build()).execute()) {
      return MAPPER.readTree(r.body().string());
    }
  }

  @Test
  void shouldEchoTheLastUserTurnInOpenAiFormatWithUsage() throws Exception {
    Reply r =
        post(
            http,
            "/v1/chat/completions",
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":\"hello there\"}]}");

    assertThat(r.status()).isEqualTo(200);
    JsonNode choice = r.body().get("choices").get(0);
    assertThat(choice.get("message").get("content").asText()).isEqualTo("Echo: hello there");
    assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
    assertThat(r.body().get("object").asText()).isEqualTo("chat.completion");
    // prompt: 2 turns * 3 + 2 + 2 words; completion: 3 words
    assertThat(r.body().get("usage").get("prompt_tokens").asInt()).isEqualTo(10);
    assertThat(r.body().get("usage").get("completion_tokens").asInt()).isEqualTo(3);
    assertThat(r.body().get("usage").get("total_tokens").asInt()).isEqualTo(13);
    assertThat(get("/stats").get("requests").asLong()).isEqualTo(1);
  }

  @Test
  void shouldAnswerTheSameConversationTheSameWayInAnthropicFormat() throws Exception {
    Reply r =
        post(
            http,
            "/v1/messages",
            "{\"model\":\"claude-3-5-haiku-latest\",\"max_tokens\":100,\"system\":\"be brief\","
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello there\"}]}]}");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().get("type").asText()).isEqualTo("message");
    assertThat(r.body().get("content").get(0).get("text").asText()).isEqualTo("Echo: hello there");
    assertThat(r.body().get("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(r.body().get("usage").get("input_tokens").asInt()).isEqualTo(10);
    assertThat(r.body().get("usage").get("output_tokens").asInt()).isEqualTo(3);
  }

  @Test
  void shouldCallANamedToolAndThenAnswerWithItsResult() throws Exception {
    String tools =
        "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"calculator\",\"parameters\":{}}},"
            + "{\"type\":\"function\",\"function\":{\"name\":\"clock\",\"parameters\":{}}}]";
    Reply first =
        post(
            http,
            "/v1/chat/completions",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"use the calculator: 6*7\"}],"
                + tools
                + "}");

    JsonNode call = first.body().get("choices").get(0).get("message").get("tool_calls").get(0);
    assertThat(first.body().get("choices").get(0).get("finish_reason").asText())
        .isEqualTo("tool_calls");
    assertThat(call.get("function").get("name").asText()).isEqualTo("calculator");
    assertThat(call.get("function").get("arguments").asText()).isEqualTo("{\"input\":\"6*7\"}");

    String id = call.get("id").asText();
    Reply second =
        post(
            http,
            "/v1/chat/completions",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"use the calculator: 6*7\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\""
                + id
                + "\",\"type\":\"function\",\"function\":{\"name\":\"calculator\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\""
                + id
                + "\",\"content\":\"42\"}],"
                + tools
                + "}");

    assertThat(second.body().get("choices").get(0).get("message").get("content").asText())
        .isEqualTo("Tool results: calculator=42");
  }

  @Test
  void shouldUseToolsInAnthropicFormat() throws Exception {
    String tools = "\"tools\":[{\"name\":\"clock\",\"input_schema\":{\"type\":\"object\"}}]";
    Reply first =
        post(
            http,
            "/v1/messages",
            "{\"model\":\"c\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"ask the clock\"}],"
                + tools
                + "}");
    JsonNode use = first.body().get("content").get(0);
    assertThat(first.body().get("stop_reason").asText()).isEqualTo("tool_use");
    assertThat(use.get("type").asText()).isEqualTo("tool_use");
    assertThat(use.get("input").get("input").asText()).isEqualTo("ask the clock");

    Reply second =
        post(
            http,
            "/v1/messages",
            "{\"model\":\"c\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"ask the clock\"},"
                + "{\"role\":\"assistant\",\"content\":["
                + use
                + "]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\""
                + use.get("id").asText()
                + "\",\"content\":\"12:00\"}]}],"
                + tools
                + "}");
    assertThat(second.body().get("content").get(0).get("text").asText())
        .isEqualTo("Tool results: clock=12:00");
  }

  @Test
  void shouldReturn429WithRetryAfterWhenEveryCallFails() throws Exception {
    sim.faults(new SimFaults(0, 0, 1.0, "429", 1, 0));

    Reply r =
        post(
            http,
            "/v1/chat/completions",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(r.status()).isEqualTo(429);
    assertThat(r.raw().header("Retry-After")).isEqualTo("1");
    assertThat(r.raw().header("retry-after-ms")).isEqualTo("1000");
    assertThat(r.body().get("error").get("type").asText()).isEqualTo("rate_limit_error");
    assertThat(get("/stats").get("failed").asLong()).isEqualTo(1);
  }

  @Test
  void shouldFailExactlyTheConfiguredFractionOfCalls() throws Exception {
    sim.faults(new SimFaults(0, 0, 0.25, "503", 1, 0));
    int failures = 0;
    for (int i = 0; i < 40; i++) {
      if (post(
                  http,
                  "/v1/chat/completions",
                  "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
              .status()
          == 503) {
        failures++;
      }
    }
    assertThat(failures).isEqualTo(10);
  }

  @Test
  void shouldReportAContextWindowErrorInEachProvidersWords() throws Exception {
    sim.faults(new SimFaults(0, 0, 0, "500", 1, 5));
    String msg = "{\"role\":\"user\",\"content\":\"one two three four five six\"}";

    Reply openai =
        post(http, "/v1/chat/completions", "{\"model\":\"m\",\"messages\":[" + msg + "]}");
    Reply anthropic =
        post(http, "/v1/messages", "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[" + msg + "]}");

    assertThat(openai.status()).isEqualTo(400);
    assertThat(openai.body().get("error").get("code").asText())
        .isEqualTo("context_length_exceeded");
    assertThat(anthropic.status()).isEqualTo(400);
    assertThat(anthropic.body().get("error").get("message").asText())
        .startsWith("prompt is too long");
  }

  @Test
  void shouldChangeFaultsAtRunTimeThroughTheAdminApi() throws Exception {
    Reply r =
        post(
            http,
            "/admin/faults",
            "{\"latency-ms\":150,\"fail_rate\":0.5,\"fail-status\":\"hang\"}");

    assertThat(r.status()).isEqualTo(200);
    assertThat(sim.faults()).isEqualTo(new SimFaults(150, 0, 0.5, "hang", 1, 0));
    assertThat(post(http, "/admin/faults", "{\"fail-rate\":2}").status()).isEqualTo(400);
  }

  @Test
  void shouldDelayAnswersByTheConfiguredLatency() throws Exception {
    sim.faults(new SimFaults(300, 0, 0, "500", 1, 0));
    long start = System.nanoTime();

    post(
        http,
        "/v1/chat/completions",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void shouldAnswerInjectedFailuresAfterTheirOwnLatencyInABrownOut() throws Exception {
    // Given a brown-out: every second call a 503 at once, the others after 400 ms
    sim.faults(new SimFaults(400, 0, 0.5, "503", 2, 0, 0));
    String chat = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

    // When two calls are made (the second is the one that fails)
    long start = System.nanoTime();
    Reply answered = post(http, "/v1/chat/completions", chat);
    Duration answeredAfter = Duration.ofNanos(System.nanoTime() - start);
    start = System.nanoTime();
    Reply failed = post(http, "/v1/chat/completions", chat);
    Duration failedAfter = Duration.ofNanos(System.nanoTime() - start);

    // Then the 503 carries Retry-After and came before the answer's latency
    assertThat(failed.status()).isEqualTo(503);
    assertThat(failed.raw().header("Retry-After")).isEqualTo("2");
    assertThat(failedAfter).isLessThan(Duration.ofMillis(400));
    assertThat(answered.status()).isEqualTo(200);
    assertThat(answeredAfter).isGreaterThanOrEqualTo(Duration.ofMillis(400));
  }

  @Test
  void shouldSetAndUnsetTheFailureLatencyThroughTheAdminApi() throws Exception {
    assertThat(get("/admin/faults").get("fail-latency-ms").isNull()).isTrue();

    post(http, "/admin/faults", "{\"latency-ms\":100,\"fail_latency_ms\":5}");
    assertThat(sim.faults().failureDelayMs()).isEqualTo(5);
    assertThat(get("/admin/faults").get("fail-latency-ms").asLong()).isEqualTo(5);

    post(http, "/admin/faults", "{\"fail-latency-ms\":null}");
    assertThat(sim.faults().failureDelayMs()).isEqualTo(100);
    assertThat(post(http, "/admin/faults", "{\"fail-latency-ms\":-5}").status()).isEqualTo(400);
  }

  @Test
  void shouldServeHttp2WithPriorKnowledge() throws Exception {
    OkHttpClient h2 = http.newBuilder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)).build();
    Request req =
        new Request.Builder()
            .url(sim.url() + "/v1/chat/completions")
            .post(
                RequestBody.create(
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"h2\"}]}",
                    JSON))
            .build();
    try (Response r = h2.newCall(req).execute()) {
      assertThat(r.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
      assertThat(
              MAPPER
                  .readTree(r.body().string())
                  .get("choices")
                  .get(0)
                  .get("message")
                  .get("content")
                  .asText())
          .isEqualTo("Echo: h2");
    }
  }

  @Test
  void shouldRejectAWrongApiKeyWhenOneIsRequired() throws Exception {
    sim.close();
    sim = LlmSimulator.start(new LlmSimulator.Options("127.0.0.1", 0, SimFaults.NONE, "right", 1));

    Reply r =
        post(
            http,
            "/v1/chat/completions",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body().get("error").get("code").asText()).isEqualTo("invalid_api_key");
  }

  @Test
  void shouldRecordTheRequestsItReceived() throws Exception {
    post(
        http,
        "/v1/chat/completions",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"remember me\"}]}");

    JsonNode recorded = get("/admin/requests");

    assertThat(recorded).hasSize(1);
    assertThat(recorded.get(0).get("body").get("messages").get(0).get("content").asText())
        .isEqualTo("remember me");
  }
}
