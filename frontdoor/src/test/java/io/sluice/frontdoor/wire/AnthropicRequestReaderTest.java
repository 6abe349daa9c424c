package io.sluice.frontdoor.wire;

import static io.sluice.frontdoor.wire.WireFixtures.body;
import static io.sluice.frontdoor.wire.WireFixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.sluice.events.ChatMessage;
import io.sluice.events.ToolInvocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnthropicRequestReaderTest {
  private final AnthropicWire wire = new AnthropicWire();

  @Test
  void shouldReadEveryDocumentedFieldOfAMessagesBody() throws WireError {
    // Given a body in Anthropic's documented shape
    byte[] body = resource("anthropic-messages-request.json");

    // When it is parsed
    WireCall call = wire.parse(body);

    // Then the system prompt comes first, tool_use and tool_result become canonical messages
    assertThat(call.model()).isEqualTo("claude-haiku");
    assertThat(call.messages())
        .extracting(ChatMessage::getRole)
        .containsExactly("system", "user", "assistant", "tool", "user");
    assertThat(call.messages().get(0).getContent()).isEqualTo("You are a weather bot.");
    ChatMessage assistant = call.messages().get(2);
    assertThat(assistant.getContent()).isEqualTo("Let me check.");
    assertThat(assistant.getToolCalls())
        .containsExactly(
            new ToolInvocation(
                "toolu_01A09q90qw90lq917835lq9", "get_weather", "{\"city\":\"Paris\"}"));
    assertThat(call.messages().get(3).getToolCallId()).isEqualTo("toolu_01A09q90qw90lq917835lq9");
    assertThat(call.messages().get(3).getContent()).isEqualTo("18C and sunny");
    assertThat(call.messages().get(4).getContent()).isEqualTo("And tomorrow?");
    assertThat(call.params().getMaxTokens()).isEqualTo(1024);
    assertThat(call.params().getTemperature()).isEqualTo(0.5);
    assertThat(call.params().getTopP()).isEqualTo(0.8);
    assertThat(call.params().getStop()).containsExactly("END");
    assertThat(call.params().getExtra())
        .containsOnly(entry("top_k", "40"), entry("tool_choice", "{\"type\":\"auto\"}"));
    assertThat(call.tools())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getName()).isEqualTo("get_weather");
              assertThat(t.getParametersJson()).contains("\"required\":[\"city\"]");
            });
    assertThat(call.user()).isEqualTo("user-1234");
    assertThat(call.stream()).isFalse();
  }

  @Test
  void shouldMarkAnErrorToolResultAndReadAStringSystem() throws WireError {
    // Given a string system prompt and a tool result flagged is_error
    byte[] body =
        body(
            "{\"model\":\"m\",\"max_tokens\":5,\"system\":\"be brief\",\"messages\":["
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\","
                + "\"content\":\"no such city\",\"is_error\":true}]}],\"stream\":true}");

    // When it is parsed
    WireCall call = wire.parse(body);

    // Then the error is said in the tool message's text
    assertThat(call.messages().get(0).getContent()).isEqualTo("be brief");
    assertThat(call.messages().get(1).getContent()).isEqualTo("Error: no such city");
    assertThat(call.stream()).isTrue();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"model\":\"m\",\"messages\":[]}|max_tokens",
        "{\"model\":\"m\",\"max_tokens\":\"9\",\"messages\":[]}|max_tokens",
        "{\"max_tokens\":9,\"messages\":[]}|model",
        "{\"model\":\"m\",\"max_tokens\":9}|messages",
        "{\"model\":\"m\",\"max_tokens\":9,\"system\":5,\"messages\":[]}|system",
        "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}|messages[0].role",
        "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\"}]}|messages[0].content",
        "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\"}]}]}|messages[0].content[0].type",
        "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\"}]}]}|messages[0].content[0].tool_use_id",
        "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"f\",\"input\":3}]}]}|messages[0].content[0].input",
        "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[],\"temperature\":\"x\"}|temperature",
        "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[],\"top_k\":1.5}|top_k",
        "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[],\"stop_sequences\":[1]}|stop_sequences",
        "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[],\"tools\":[{\"name\":\"f\"}]}|tools[0].input_schema",
        "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[],\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"w\"}]}|tools[0].type",
        "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[],\"tool_choice\":\"auto\"}|tool_choice",
        "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[],\"metadata\":{\"user_id\":3}}|metadata.user_id"
      })
  void shouldAnswer400NamingTheFieldWhenAFieldIsMissingOrOfTheWrongType(String json, String param) {
    // Given a body with one bad field; When it is parsed; Then a 400 names that field
    assertThatThrownBy(() -> wire.parse(body(json)))
        .isInstanceOfSatisfying(
            WireError.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.param()).isEqualTo(param);
              assertThat(e.getMessage()).startsWith(param);
            });
  }
}
