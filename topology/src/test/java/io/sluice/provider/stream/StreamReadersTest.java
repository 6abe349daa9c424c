package io.sluice.provider.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.events.ToolInvocation;
import io.sluice.provider.ChatResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamReadersTest {
  private final List<StreamDelta> deltas = new ArrayList<>();

  @Test
  void shouldAccumulateOpenAiContentUsageAndFinishReasonUntilDone() throws IOException {
    // Given an OpenAI reader
    StreamReader r = new OpenAiStreamReader("p", deltas::add);

    // When a stream's events arrive, with a role-only first delta and a usage chunk
    r.onEvent(data("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}"));
    r.onEvent(data("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}"));
    r.onEvent(data("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}"));
    r.onEvent(data("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}"));
    r.onEvent(data("{\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2}}"));
    assertThat(r.complete()).isFalse();
    r.onEvent(data("[DONE]"));

    // Then only the text deltas came out, and the result is complete
    assertThat(deltas).extracting(StreamDelta::content).containsExactly("Hel", "lo");
    assertThat(r.complete()).isTrue();
    assertThat(r.result()).isEqualTo(new ChatResult("Hello", List.of(), "length", 4, 2));
  }

  @Test
  void shouldFailWhenOpenAiSendsAnErrorOrSomethingThatIsNotJson() {
    // Given an OpenAI reader, then an error event and a broken one each fail it
    StreamReader r = new OpenAiStreamReader("p", deltas::add);
    assertThatThrownBy(() -> r.onEvent(data("{\"error\":{\"message\":\"overloaded\"}}")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("overloaded");
    assertThatThrownBy(() -> r.onEvent(data("{not json")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not JSON");
  }

  @Test
  void shouldReadAnthropicToolUseAndMapTheStopReason() throws IOException {
    // Given an Anthropic reader
    StreamReader r = new AnthropicStreamReader("p", deltas::add);

    // When a tool_use block streams its input in pieces, after a text block
    r.onEvent(ev("message_start", "{\"message\":{\"usage\":{\"input_tokens\":9}}}"));
    r.onEvent(ev("ping", "{\"type\":\"ping\"}"));
    r.onEvent(ev("content_block_start", "{\"index\":0,\"content_block\":{\"type\":\"text\"}}"));
    r.onEvent(
        ev(
            "content_block_delta",
            "{\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}"));
    r.onEvent(
        ev(
            "content_block_start",
            "{\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"f\"}}"));
    r.onEvent(
        ev(
            "content_block_delta",
            "{\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\": \"}}"));
    r.onEvent(
        ev(
            "content_block_delta",
            "{\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"1}\"}}"));
    r.onEvent(
        ev(
            "message_delta",
            "{\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":5}}"));
    r.onEvent(ev("message_stop", "{\"type\":\"message_stop\"}"));

    // Then the tool call is numbered from 0 and its arguments are compact JSON
    assertThat(r.complete()).isTrue();
    assertThat(deltas.get(1).toolCalls().get(0))
        .isEqualTo(new StreamDelta.ToolDelta(0, "t1", "f", ""));
    assertThat(r.result())
        .isEqualTo(
            new ChatResult(
                "ok", List.of(new ToolInvocation("t1", "f", "{\"a\":1}")), "tool_calls", 9, 5));
  }

  @Test
  void shouldFailWhenAnthropicSendsAnErrorEvent() {
    StreamReader r = new AnthropicStreamReader("p", deltas::add);
    assertThatThrownBy(
            () ->
                r.onEvent(
                    ev(
                        "error",
                        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("overloaded_error");
  }

  private static SseEvent data(String data) {
    return new SseEvent("message", data);
  }

  private static SseEvent ev(String type, String data) {
    return new SseEvent(type, data);
  }
}
