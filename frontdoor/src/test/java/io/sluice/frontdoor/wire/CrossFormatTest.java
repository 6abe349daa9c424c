package io.sluice.frontdoor.wire;

import static io.sluice.frontdoor.wire.WireFixtures.body;
import static io.sluice.frontdoor.wire.WireFixtures.json;
import static io.sluice.frontdoor.wire.WireFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.events.ToolInvocation;
import org.junit.jupiter.api.Test;

/**
 * A conversation sent in one format and answered by a provider of the other: both formats read to
 * the same canonical conversation, and a canonical answer (tool calls included) renders in either.
 */
class CrossFormatTest {
  private static final String OPENAI =
      "{\"model\":\"m\",\"max_tokens\":64,\"messages\":["
          + "{\"role\":\"system\",\"content\":\"Be brief.\"},"
          + "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
          + "{\"role\":\"assistant\",\"content\":\"Checking.\",\"tool_calls\":[{\"id\":\"call_1\","
          + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
          + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"}],"
          + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
          + "\"description\":\"Weather\",\"parameters\":{\"type\":\"object\"}}}]}";

  private static final String ANTHROPIC =
      "{\"model\":\"m\",\"max_tokens\":64,\"system\":\"Be brief.\",\"messages\":["
          + "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
          + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Checking.\"},"
          + "{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]},"
          + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"call_1\",\"content\":\"18C\"}]}],"
          + "\"tools\":[{\"name\":\"get_weather\",\"description\":\"Weather\",\"input_schema\":{\"type\":\"object\"}}]}";

  @Test
  void shouldReadTheSameConversationFromBothFormats() throws WireError {
    // Given one conversation with a tool round in each format; When both are parsed
    WireCall fromOpenAi = new OpenAiWire().parse(body(OPENAI));
    WireCall fromAnthropic = new AnthropicWire().parse(body(ANTHROPIC));

    // Then the canonical messages, tools and max tokens are the same
    assertThat(fromAnthropic.messages()).isEqualTo(fromOpenAi.messages());
    assertThat(fromAnthropic.tools()).isEqualTo(fromOpenAi.tools());
    assertThat(fromAnthropic.params().getMaxTokens()).isEqualTo(fromOpenAi.params().getMaxTokens());
  }

  @Test
  void shouldAnswerAnAnthropicClientFromAnOpenAiProvidersToolCall() {
    // Given an OpenAI provider's answer in canonical form: a tool call, finish_reason tool_calls
    var r = ok("", new ToolInvocation("call_7", "get_weather", "{\"city\":\"Rome\"}")).build();

    // When an Anthropic client gets it
    JsonNode body = json(new AnthropicWire().answer(r));

    // Then it is a tool_use block with the parsed input and stop_reason tool_use
    assertThat(body.path("content").path(0).path("type").asText()).isEqualTo("tool_use");
    assertThat(body.path("content").path(0).path("id").asText()).isEqualTo("call_7");
    assertThat(body.path("content").path(0).path("input").path("city").asText()).isEqualTo("Rome");
    assertThat(body.path("stop_reason").asText()).isEqualTo("tool_use");
  }

  @Test
  void shouldAnswerAnOpenAiClientFromAnAnthropicProvidersToolUse() {
    // Given an Anthropic provider's answer in canonical form (its adapter maps tool_use to
    // tool_calls and the input object to arguments text)
    var r =
        ok("Let me look.", new ToolInvocation("toolu_9", "get_weather", "{\"city\":\"Oslo\"}"))
            .build();

    // When an OpenAI client gets it
    JsonNode message = json(new OpenAiWire().answer(r)).path("choices").path(0);

    // Then it is an OpenAI function call, with the text kept
    assertThat(message.path("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(message.path("message").path("content").asText()).isEqualTo("Let me look.");
    JsonNode call = message.path("message").path("tool_calls").path(0);
    assertThat(call.path("id").asText()).isEqualTo("toolu_9");
    assertThat(json(body(call.path("function").path("arguments").asText())).path("city").asText())
        .isEqualTo("Oslo");
  }
}
