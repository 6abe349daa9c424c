package io.sluice.dev.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator's streamed answers, read raw over real HTTP, in both providers' formats. */
class LlmSimulatorStreamTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final MediaType JSON = MediaType.get("application/json");
  private static final String TEXT =
      "{\"role\":\"user\",\"content\":\"one two three four five six seven\"}";

  private LlmSimulator sim;
  private final OkHttpClient http =
      new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();

  /** One event as read: its {@code event:} field (or null) and its data. */
  private record Event(String type, String data) {
    JsonNode json() throws IOException {
      return MAPPER.readTree(data);
    }
  }

  /** The events read, and whether the body ended cleanly (false: the connection was cut). */
  private record Read(int status, String contentType, List<Event> events, boolean clean) {}

  @BeforeEach
  void start() throws Exception {
    sim = LlmSimulator.start(LlmSimulator.Options.loopback(0, SimFaults.NONE));
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Read stream(String path, String body, String cutHeader) throws IOException {
    Request.Builder req =
        new Request.Builder().url(sim.url() + path).post(RequestBody.create(body, JSON));
    if (cutHeader != null) {
      req.header(SimHttpHandler.CUT_HEADER, cutHeader);
    }
    List<Event> events = new ArrayList<>();
    try (Response r = http.newCall(req.build()).execute()) {
      BufferedReader in =
          new BufferedReader(new InputStreamReader(r.body().byteStream(), StandardCharsets.UTF_8));
      String type = null;
      String line;
      try {
        while ((line = in.readLine()) != null) {
          if (line.startsWith("event: ")) {
            type = line.substring(7);
          } else if (line.startsWith("data: ")) {
            events.add(new Event(type, line.substring(6)));
            type = null;
          }
        }
      } catch (IOException cut) {
        return new Read(r.code(), r.header("Content-Type"), events, false);
      }
      return new Read(r.code(), r.header("Content-Type"), events, true);
    }
  }

  private static String openAi(String messages, String extra) {
    return "{\"model\":\"gpt-4o-mini\",\"stream\":true"
        + extra
        + ",\"messages\":["
        + messages
        + "]}";
  }

  private static String anthropic(String messages, String extra) {
    return "{\"model\":\"claude\",\"max_tokens\":100,\"stream\":true"
        + extra
        + ",\"messages\":["
        + messages
        + "]}";
  }

  @Test
  void shouldStreamOpenAiChunksEndingWithUsageAndDoneWhenUsageIsAsked() throws Exception {
    // When a streamed completion asks for usage
    Read r =
        stream(
            "/v1/chat/completions",
            openAi(TEXT, ",\"stream_options\":{\"include_usage\":true}"),
            null);

    // Then: role first, text in pieces of a few words, the finish reason, usage, [DONE]
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("text/event-stream");
    assertThat(r.clean()).isTrue();
    List<Event> e = r.events();
    assertThat(e.get(e.size() - 1).data()).isEqualTo("[DONE]");
    JsonNode first = e.get(0).json();
    assertThat(first.path("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(first.path("choices").path(0).path("delta").path("role").asText())
        .isEqualTo("assistant");
    StringBuilder text = new StringBuilder();
    for (Event ev : e.subList(0, e.size() - 3)) {
      text.append(ev.json().path("choices").path(0).path("delta").path("content").asText());
    }
    assertThat(text.toString()).isEqualTo("Echo: one two three four five six seven");
    assertThat(e.size() - 3).isEqualTo(3); // 8 words, 3 a piece
    JsonNode last = e.get(e.size() - 3).json().path("choices").path(0);
    assertThat(last.path("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = e.get(e.size() - 2).json();
    assertThat(usage.path("choices").isEmpty()).isTrue();
    assertThat(usage.path("usage").path("completion_tokens").asInt()).isEqualTo(8);
  }

  @Test
  void shouldStreamOpenAiToolCallsWithIndexIdAndNameThenArgumentPieces() throws Exception {
    // When a streamed completion's prompt names an offered tool
    Read r =
        stream(
            "/v1/chat/completions",
            openAi(
                "{\"role\":\"user\",\"content\":\"call lookup: a long query for the tool\"}",
                ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\"}}]"),
            null);

    // Then the call's first delta names it, the arguments follow in pieces, no usage chunk
    List<Event> e = r.events();
    JsonNode start = e.get(0).json().path("choices").path(0).path("delta").path("tool_calls");
    assertThat(start.path(0).path("index").asInt()).isZero();
    assertThat(start.path(0).path("id").asText()).startsWith("call_");
    assertThat(start.path(0).path("function").path("name").asText()).isEqualTo("lookup");
    StringBuilder args = new StringBuilder();
    for (Event ev : e.subList(1, e.size() - 2)) {
      JsonNode tc = ev.json().path("choices").path(0).path("delta").path("tool_calls").path(0);
      assertThat(tc.has("id")).isFalse();
      args.append(tc.path("function").path("arguments").asText());
    }
    assertThat(MAPPER.readTree(args.toString()).path("input").asText())
        .isEqualTo("a long query for the tool");
    assertThat(e.size() - 2).isGreaterThan(2);
    assertThat(e.get(e.size() - 2).json().path("choices").path(0).path("finish_reason").asText())
        .isEqualTo("tool_calls");
  }

  @Test
  void shouldStreamAnthropicEventsInOrderWithTextDeltasAndStopReason() throws Exception {
    // When a streamed message is asked for
    Read r = stream("/v1/messages", anthropic(TEXT, ""), null);

    // Then: message_start, ping, the text block's start, deltas and stop, message_delta, stop
    List<String> types = r.events().stream().map(Event::type).toList();
    assertThat(types)
        .containsExactly(
            "message_start",
            "ping",
            "content_block_start",
            "content_block_delta",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop");
    StringBuilder text = new StringBuilder();
    for (Event ev : r.events().subList(3, 6)) {
      assertThat(ev.json().path("delta").path("type").asText()).isEqualTo("text_delta");
      text.append(ev.json().path("delta").path("text").asText());
    }
    assertThat(text.toString()).isEqualTo("Echo: one two three four five six seven");
    JsonNode end = r.events().get(7).json();
    assertThat(end.path("delta").path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(end.path("usage").path("output_tokens").asInt()).isEqualTo(8);
  }

  @Test
  void shouldStreamAnthropicToolUseAsInputJsonDeltas() throws Exception {
    // When a streamed message's prompt names an offered tool
    Read r =
        stream(
            "/v1/messages",
            anthropic(
                "{\"role\":\"user\",\"content\":\"call lookup: a long query for the tool\"}",
                ",\"tools\":[{\"name\":\"lookup\",\"input_schema\":{\"type\":\"object\"}}]"),
            null);

    // Then the tool_use block starts with id and name, its input comes as partial JSON
    JsonNode start = r.events().get(2).json().path("content_block");
    assertThat(start.path("type").asText()).isEqualTo("tool_use");
    assertThat(start.path("name").asText()).isEqualTo("lookup");
    StringBuilder json = new StringBuilder();
    for (Event ev : r.events()) {
      if ("content_block_delta".equals(ev.type())) {
        assertThat(ev.json().path("delta").path("type").asText()).isEqualTo("input_json_delta");
        json.append(ev.json().path("delta").path("partial_json").asText());
      }
    }
    assertThat(MAPPER.readTree(json.toString()).path("input").asText())
        .isEqualTo("a long query for the tool");
    assertThat(
            r.events().get(r.events().size() - 2).json().path("delta").path("stop_reason").asText())
        .isEqualTo("tool_use");
  }

  @Test
  void shouldCutTheStreamAfterNDeltasWhenTheFaultIsSet() throws Exception {
    // Given streams cut after 2 deltas
    sim.faults(sim.faults().with(MAPPER.readTree("{\"stream-cut-after\": 2}")));

    // When each format streams a longer answer
    Read openAi = stream("/v1/chat/completions", openAi(TEXT, ""), null);
    Read anthropic = stream("/v1/messages", anthropic(TEXT, ""), null);

    // Then each body breaks after its second delta
    assertThat(openAi.clean()).isFalse();
    assertThat(openAi.events()).hasSize(2);
    assertThat(anthropic.clean()).isFalse();
    assertThat(anthropic.events().stream().filter(e -> "content_block_delta".equals(e.type())))
        .hasSize(2);
    assertThat(sim.faults().toJson().path("stream-cut-after").asInt()).isEqualTo(2);
  }

  @Test
  void shouldCutOnlyThatStreamWhenTheRequestHeaderAsks() throws Exception {
    // When one request asks for a cut before any delta, and the next for none
    Read cut = stream("/v1/chat/completions", openAi(TEXT, ""), "0");
    Read whole = stream("/v1/chat/completions", openAi(TEXT, ""), null);

    // Then the first got headers only, the second the whole stream
    assertThat(cut.status()).isEqualTo(200);
    assertThat(cut.events()).isEmpty();
    assertThat(cut.clean()).isFalse();
    assertThat(whole.clean()).isTrue();
    assertThat(whole.events().get(whole.events().size() - 1).data()).isEqualTo("[DONE]");
  }
}
