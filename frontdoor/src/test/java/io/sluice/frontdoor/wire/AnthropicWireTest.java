package io.sluice.frontdoor.wire;

import static io.sluice.frontdoor.wire.WireFixtures.json;
import static io.sluice.frontdoor.wire.WireFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.events.ToolInvocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnthropicWireTest {
  private final AnthropicWire wire = new AnthropicWire();

  @Test
  void shouldAnswerAMessageWithTextAndToolUseBlocks() {
    // Given a response with text and a tool call
    var r =
        ok("Let me check.", new ToolInvocation("toolu_1", "get_weather", "{\"city\":\"Paris\"}"))
            .build();

    // When it is rendered
    JsonNode body = json(wire.answer(r));

    // Then it is an Anthropic message in the documented shape
    assertThat(body.path("id").asText()).isEqualTo("req-1");
    assertThat(body.path("type").asText()).isEqualTo("message");
    assertThat(body.path("role").asText()).isEqualTo("assistant");
    assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(body.path("content")).hasSize(2);
    assertThat(body.path("content").path(0).path("type").asText()).isEqualTo("text");
    assertThat(body.path("content").path(0).path("text").asText()).isEqualTo("Let me check.");
    JsonNode use = body.path("content").path(1);
    assertThat(use.path("type").asText()).isEqualTo("tool_use");
    assertThat(use.path("id").asText()).isEqualTo("toolu_1");
    assertThat(use.path("name").asText()).isEqualTo("get_weather");
    assertThat(use.path("input").path("city").asText()).isEqualTo("Paris");
    assertThat(body.path("stop_reason").asText()).isEqualTo("tool_use");
    assertThat(body.path("stop_sequence").isNull()).isTrue();
    assertThat(body.path("usage").path("input_tokens").asInt()).isEqualTo(12);
    assertThat(body.path("usage").path("output_tokens").asInt()).isEqualTo(5);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "stop, end_turn",
    "length, max_tokens",
    "tool_calls, tool_use",
    "content_filter, refusal",
    "stop_sequence, stop_sequence",
    "something_new, end_turn"
  })
  void shouldMapOpenAiFinishReasonsToStopReasons(String finish, String stop) {
    // Given a response that finished for a reason; When rendered; Then Anthropic's reason
    var r = ok("x").setFinishReason(finish).build();
    assertThat(json(wire.answer(r)).path("stop_reason").asText()).isEqualTo(stop);
  }

  @Test
  void shouldWrapArgumentsThatAreNotAnObject() {
    // Given a tool call whose arguments are not a JSON object
    var r = ok("", new ToolInvocation("t", "f", "not json")).build();

    // When rendered; Then the input is an object holding them, and no empty text block is sent
    JsonNode content = json(wire.answer(r)).path("content");
    assertThat(content).hasSize(1);
    assertThat(content.path(0).path("input").path("value").asText()).isEqualTo("not json");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "400, invalid_request_error",
    "401, authentication_error",
    "403, permission_error",
    "404, not_found_error",
    "413, request_too_large",
    "429, rate_limit_error",
    "500, api_error",
    "502, api_error",
    "503, overloaded_error",
    "504, api_error"
  })
  void shouldRenderErrorsInAnthropicShapeWithTheTypeOfTheirStatus(int status, String type) {
    // Given an error; When rendered; Then Anthropic's shape
    JsonNode body = json(wire.error(new WireError(status, "c", "what went wrong", null, null)));
    assertThat(body.path("type").asText()).isEqualTo("error");
    assertThat(body.path("error").path("type").asText()).isEqualTo(type);
    assertThat(body.path("error").path("message").asText()).isEqualTo("what went wrong");
  }
}
