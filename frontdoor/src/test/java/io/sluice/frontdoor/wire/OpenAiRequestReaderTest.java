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

class OpenAiRequestReaderTest {
  private final OpenAiWire wire = new OpenAiWire();

  @Test
  void shouldReadEveryDocumentedFieldOfAChatCompletionsBody() throws WireError {
    // Given a body in OpenAI's documented shape, with every field Sluice models
    byte[] body = resource("openai-chat-request.json");

    // When it is parsed
    WireCall call = wire.parse(body);

    // Then the call holds the conversation in Sluice's terms
    assertThat(call.model()).isEqualTo("gpt-4o-mini");
    assertThat(call.messages())
        .extracting(ChatMessage::getRole)
        .containsExactly("system", "user", "assistant", "tool");
    assertThat(call.messages().get(0).getContent()).isEqualTo("You are a weather bot.");
    assertThat(call.messages().get(1).getContent()).isEqualTo("What is the weather in Paris?");
    assertThat(call.messages().get(1).getName()).isEqualTo("ana");
    assertThat(call.messages().get(2).getContent()).isEmpty();
    assertThat(call.messages().get(2).getToolCalls())
        .containsExactly(new ToolInvocation("call_abc123", "get_weather", "{\"city\":\"Paris\"}"));
    assertThat(call.messages().get(3).getToolCallId()).isEqualTo("call_abc123");
    assertThat(call.messages().get(3).getContent()).isEqualTo("18C and sunny");
    // and the parameters, the ones Sluice does not model passed through as JSON text
    assertThat(call.params().getTemperature()).isEqualTo(0.2);
    assertThat(call.params().getTopP()).isEqualTo(0.9);
    assertThat(call.params().getMaxTokens()).isEqualTo(256);
    assertThat(call.params().getStop()).containsExactly("\n\n", "END");
    assertThat(call.params().getSeed()).isEqualTo(42L);
    assertThat(call.params().getExtra())
        .containsOnly(
            entry("tool_choice", "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"),
            entry("response_format", "{\"type\":\"text\"}"));
    assertThat(call.tools()).hasSize(1);
    assertThat(call.tools().get(0).getName()).isEqualTo("get_weather");
    assertThat(call.tools().get(0).getDescription()).isEqualTo("Weather of a city");
    assertThat(WireFixtures.json(body(call.tools().get(0).getParametersJson())).path("required"))
        .hasSize(1);
    assertThat(call.user()).isEqualTo("user-1234");
    assertThat(call.metadata()).containsExactly(entry("team", "search"));
    assertThat(call.stream()).isTrue();
    assertThat(call.includeUsage()).isTrue();
  }

  @Test
  void shouldLeaveParamsNullAndStreamOffWhenTheBodySetsNone() throws WireError {
    // Given the smallest body
    byte[] body = body("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    // When it is parsed
    WireCall call = wire.parse(body);

    // Then nothing is set beyond the conversation
    assertThat(call.params()).isNull();
    assertThat(call.tools()).isEmpty();
    assertThat(call.stream()).isFalse();
    assertThat(call.includeUsage()).isFalse();
    assertThat(call.user()).isNull();
    assertThat(call.metadata()).isEmpty();
  }

  @Test
  void shouldTakeMaxTokensAndAStringStop() throws WireError {
    // Given the older max_tokens and stop as one string
    byte[] body =
        body(
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_tokens\":7,\"stop\":\"END\"}");

    // When it is parsed
    WireCall call = wire.parse(body);

    // Then both are read
    assertThat(call.params().getMaxTokens()).isEqualTo(7);
    assertThat(call.params().getStop()).containsExactly("END");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"messages\":[]}|model",
        "{\"model\":3,\"messages\":[]}|model",
        "{\"model\":\"m\"}|messages",
        "{\"model\":\"m\",\"messages\":{}}|messages",
        "{\"model\":\"m\",\"messages\":[3]}|messages[0]",
        "{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}|messages[0].role",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"function\",\"content\":\"x\"}]}|messages[0].role",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}|messages[0].content",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}|messages[0].content[0].type",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}|messages[0].tool_call_id",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\"}]}]}|messages[0].tool_calls[0].function",
        "{\"model\":\"m\",\"messages\":[],\"temperature\":\"hot\"}|temperature",
        "{\"model\":\"m\",\"messages\":[],\"max_tokens\":1.5}|max_tokens",
        "{\"model\":\"m\",\"messages\":[],\"max_completion_tokens\":0}|max_completion_tokens",
        "{\"model\":\"m\",\"messages\":[],\"stop\":[1]}|stop",
        "{\"model\":\"m\",\"messages\":[],\"seed\":\"s\"}|seed",
        "{\"model\":\"m\",\"messages\":[],\"n\":2}|n",
        "{\"model\":\"m\",\"messages\":[],\"stream\":\"yes\"}|stream",
        "{\"model\":\"m\",\"messages\":[],\"stream_options\":{\"include_usage\":1}}|stream_options.include_usage",
        "{\"model\":\"m\",\"messages\":[],\"metadata\":{\"a\":1}}|metadata.a",
        "{\"model\":\"m\",\"messages\":[],\"user\":7}|user",
        "{\"model\":\"m\",\"messages\":[],\"tools\":[{\"type\":\"web_search\"}]}|tools[0].type",
        "{\"model\":\"m\",\"messages\":[],\"tools\":[{\"type\":\"function\",\"function\":{}}]}|tools[0].function.name",
        "{\"model\":\"m\",\"messages\":[],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":[]}}]}|tools[0].function.parameters"
      })
  void shouldAnswer400NamingTheFieldWhenAFieldIsMissingOrOfTheWrongType(String json, String param) {
    // Given a body with one bad field; When it is parsed; Then a 400 names that field
    assertThatThrownBy(() -> wire.parse(body(json)))
        .isInstanceOfSatisfying(
            WireError.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("invalid_request");
              assertThat(e.param()).isEqualTo(param);
              assertThat(e.getMessage()).startsWith(param);
            });
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"{\"model\":", "[1,2]", "\"text\"", "''"})
  void shouldAnswer400WhenTheBodyIsNotAJsonObject(String json) {
    // Given a body that is not a JSON object; When it is parsed; Then a 400 says so
    assertThatThrownBy(() -> wire.parse(body(json)))
        .isInstanceOfSatisfying(
            WireError.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.param()).isNull();
              assertThat(e.getMessage()).startsWith("the body");
            });
  }
}
