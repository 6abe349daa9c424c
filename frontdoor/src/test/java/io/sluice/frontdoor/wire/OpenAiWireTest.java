package io.sluice.frontdoor.wire;

import static io.sluice.frontdoor.wire.WireFixtures.json;
import static io.sluice.frontdoor.wire.WireFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.events.ToolInvocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiWireTest {
  private final OpenAiWire wire = new OpenAiWire();

  @Test
  void shouldAnswerAChatCompletionWhoseIdIsTheRequestIdAndModelTheAlias() {
    // Given an OK response
    var r = ok("Hello there").build();

    // When it is rendered
    JsonNode body = json(wire.answer(r));

    // Then it is a chat.completion object in OpenAI's documented shape
    assertThat(body.path("id").asText()).isEqualTo("req-1");
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    assertThat(body.path("created").asLong()).isEqualTo(1_700_000_000L);
    assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
    JsonNode choice = body.path("choices").path(0);
    assertThat(choice.path("index").asInt()).isZero();
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").path("content").asText()).isEqualTo("Hello there");
    assertThat(choice.path("message").has("tool_calls")).isFalse();
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(12);
    assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(5);
    assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(17);
  }

  @Test
  void shouldAnswerToolCallsWithNullContent() {
    // Given a response that asks for a tool
    var r = ok("", new ToolInvocation("call_1", "get_weather", "{\"city\":\"Paris\"}")).build();

    // When it is rendered
    JsonNode message = json(wire.answer(r)).path("choices").path(0).path("message");

    // Then the calls are OpenAI function calls and the content is null
    assertThat(message.path("content").isNull()).isTrue();
    JsonNode call = message.path("tool_calls").path(0);
    assertThat(call.path("id").asText()).isEqualTo("call_1");
    assertThat(call.path("type").asText()).isEqualTo("function");
    assertThat(call.path("function").path("name").asText()).isEqualTo("get_weather");
    assertThat(call.path("function").path("arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(json(wire.answer(r)).path("choices").path(0).path("finish_reason").asText())
        .isEqualTo("tool_calls");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "400, invalid_request_error",
    "401, authentication_error",
    "403, permission_error",
    "404, not_found_error",
    "413, invalid_request_error",
    "429, rate_limit_error",
    "500, api_error",
    "502, api_error",
    "503, api_error",
    "504, api_error"
  })
  void shouldRenderErrorsInOpenAiShapeWithTheTypeOfTheirStatus(int status, String type) {
    // Given an error of a status
    WireError e = new WireError(status, "some_code", "what went wrong", "temperature", 3L);

    // When it is rendered
    JsonNode error = json(wire.error(e)).path("error");

    // Then it has OpenAI's four fields
    assertThat(error.path("message").asText()).isEqualTo("what went wrong");
    assertThat(error.path("type").asText()).isEqualTo(type);
    assertThat(error.path("code").asText()).isEqualTo("some_code");
    assertThat(error.path("param").asText()).isEqualTo("temperature");
  }

  @Test
  void shouldRenderANullParamAndQuotaTypeForABudget() {
    // Given a budget error with no field
    WireError e = new WireError(429, "budget_exceeded", "over budget", null, null);

    // When it is rendered
    JsonNode error = json(wire.error(e)).path("error");

    // Then param is null and the type is OpenAI's quota type
    assertThat(error.has("param")).isTrue();
    assertThat(error.path("param").isNull()).isTrue();
    assertThat(error.path("type").asText()).isEqualTo("insufficient_quota");
  }
}
