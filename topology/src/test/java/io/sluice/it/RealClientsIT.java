package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.NotFoundException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.RateLimitException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real SDKs against the front door of an in-JVM dev stack: LangChain4j's OpenAI module (chat,
 * streaming, tools, errors), OpenAI's Java SDK {@code com.openai:openai-java} (chat, streaming with
 * usage, tool calls, errors: 404 and a provider's 429 passed through) and Anthropic's Java SDK
 * (messages, streaming, tool use, errors), each also answered by a provider of the other format.
 */
@Tag("integration")
class RealClientsIT {
  private static DoorStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = DoorStack.start("real-clients-it");
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private static OpenAiChatModel.OpenAiChatModelBuilder openAi(String model) {
    return OpenAiChatModel.builder()
        .baseUrl(stack.openAiBaseUrl())
        .apiKey(DoorStack.KEY)
        .modelName(model)
        .timeout(Duration.ofSeconds(30))
        .maxRetries(0);
  }

  private static AnthropicClient anthropic() {
    return AnthropicOkHttpClient.builder()
        .baseUrl(stack.door.url())
        .apiKey(DoorStack.KEY)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(30))
        .build();
  }

  private static OpenAIClient openAiSdk() {
    return OpenAIOkHttpClient.builder()
        .baseUrl(stack.openAiBaseUrl())
        .apiKey(DoorStack.KEY)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(30))
        .build();
  }

  private static ChatCompletionCreateParams.Builder chat(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text);
  }

  private static MessageCreateParams.Builder message(String model, String text) {
    return MessageCreateParams.builder().model(model).maxTokens(256).addUserMessage(text);
  }

  @Test
  void shouldAnswerLangChain4jChatFromBothProviderFormats() {
    // Given LangChain4j's OpenAI model pointed at the front door
    // When it chats with an OpenAI-compatible and an Anthropic provider behind the aliases
    String fromOpenAi = openAi("gpt").build().chat("Hello from LangChain4j");
    String fromAnthropic = openAi("claude").build().chat("Hello across formats");

    // Then both answers are the simulator's
    assertThat(fromOpenAi).isEqualTo("Echo: Hello from LangChain4j");
    assertThat(fromAnthropic).isEqualTo("Echo: Hello across formats");
  }

  @Test
  void shouldStreamToLangChain4jTokenByToken() throws Exception {
    // Given LangChain4j's streaming model
    OpenAiStreamingChatModel model =
        OpenAiStreamingChatModel.builder()
            .baseUrl(stack.openAiBaseUrl())
            .apiKey(DoorStack.KEY)
            .modelName("gpt")
            .timeout(Duration.ofSeconds(30))
            .build();
    StringBuilder partials = new StringBuilder();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();

    // When it streams an answer
    model.chat(
        "stream these five words please",
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String partial) {
            partials.append(partial);
          }

          @Override
          public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }
        });

    // Then the deltas add up to the final answer
    ChatResponse response = done.get(30, TimeUnit.SECONDS);
    assertThat(partials.toString()).isEqualTo("Echo: stream these five words please");
    assertThat(response.aiMessage().text()).isEqualTo(partials.toString());
  }

  @Test
  void shouldReturnToolCallsToLangChain4j() {
    // Given a tool the last user turn names
    ToolSpecification weather =
        ToolSpecification.builder()
            .name("get_weather")
            .description("Weather of a city")
            .parameters(JsonObjectSchema.builder().addStringProperty("input").build())
            .build();
    ChatRequest request =
        ChatRequest.builder()
            .messages(UserMessage.from("get_weather: Paris"))
            .toolSpecifications(weather)
            .build();

    // When LangChain4j sends it, to both provider formats
    for (String model : List.of("gpt", "claude")) {
      ChatResponse response = openAi(model).build().chat(request);

      // Then the answer is a call of that tool with the simulator's arguments
      List<ToolExecutionRequest> calls = response.aiMessage().toolExecutionRequests();
      assertThat(calls).as(model).hasSize(1);
      assertThat(calls.get(0).name()).isEqualTo("get_weather");
      assertThat(calls.get(0).arguments()).contains("Paris");
      assertThat(calls.get(0).id()).isNotBlank();
    }
  }

  @Test
  void shouldSurfaceAnUnknownModelToLangChain4jAsAnError() {
    // When LangChain4j names a model no alias serves; Then its call fails with the 404's message
    assertThatThrownBy(() -> openAi("no-such-model").build().chat("hi"))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("no-such-model");
  }

  @Test
  void shouldAnswerAnthropicSdkMessagesFromBothProviderFormats() {
    // Given Anthropic's Java SDK pointed at the front door
    AnthropicClient client = anthropic();

    // When it sends a message to an Anthropic and an OpenAI-compatible provider
    for (String model : List.of("claude", "gpt")) {
      Message m = client.messages().create(message(model, "Hello from the Anthropic SDK").build());

      // Then the answer is one text block, end_turn, with usage
      assertThat(m.content()).as(model).hasSize(1);
      assertThat(m.content().get(0).text().orElseThrow().text())
          .isEqualTo("Echo: Hello from the Anthropic SDK");
      assertThat(m.stopReason()).hasValue(StopReason.END_TURN);
      assertThat(m.usage().outputTokens()).isPositive();
    }
  }

  @Test
  void shouldStreamToTheAnthropicSdk() {
    // Given the SDK's streaming call and its accumulator
    MessageAccumulator accumulator = MessageAccumulator.create();

    // When it streams an answer
    try (StreamResponse<RawMessageStreamEvent> stream =
        anthropic().messages().createStreaming(message("claude", "stream to anthropic").build())) {
      stream.stream().forEach(accumulator::accumulate);
    }

    // Then the accumulated message is the whole answer
    Message m = accumulator.message();
    assertThat(m.content().get(0).text().orElseThrow().text())
        .isEqualTo("Echo: stream to anthropic");
    assertThat(m.stopReason()).hasValue(StopReason.END_TURN);
  }

  @Test
  void shouldReturnToolUseToTheAnthropicSdk() {
    // Given a tool the user turn names
    Tool tool =
        Tool.builder()
            .name("get_weather")
            .description("Weather of a city")
            .inputSchema(Tool.InputSchema.builder().build())
            .build();

    // When the SDK sends it to an OpenAI-compatible provider
    Message m =
        anthropic().messages().create(message("gpt", "get_weather: Oslo").addTool(tool).build());

    // Then the answer is a tool_use block with the parsed input
    ToolUseBlock use = m.content().get(0).toolUse().orElseThrow();
    assertThat(use.name()).isEqualTo("get_weather");
    assertThat(use._input().toString()).contains("Oslo");
    assertThat(m.stopReason()).hasValue(StopReason.TOOL_USE);
  }

  @Test
  void shouldSurfaceAnUnknownModelToTheAnthropicSdkAs404() {
    // When the SDK names a model no alias serves; Then it raises its NotFoundException
    assertThatThrownBy(() -> anthropic().messages().create(message("no-such-model", "hi").build()))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void shouldAnswerOpenAiSdkChatFromBothProviderFormats() {
    // Given OpenAI's Java SDK pointed at the front door
    OpenAIClient client = openAiSdk();

    // When it creates a chat completion on an OpenAI-compatible and an Anthropic provider
    for (String model : List.of("gpt", "claude")) {
      ChatCompletion c =
          client.chat().completions().create(chat(model, "Hello from openai-java").build());

      // Then the answer is the simulator's, a clean stop, with usage
      assertThat(c.choices()).as(model).hasSize(1);
      assertThat(c.choices().get(0).message().content()).hasValue("Echo: Hello from openai-java");
      assertThat(c.choices().get(0).finishReason())
          .isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
      assertThat(c.usage().orElseThrow().completionTokens()).isPositive();
      assertThat(c.model()).isEqualTo(model);
    }
  }

  @Test
  void shouldStreamToTheOpenAiSdkWithUsage() {
    // Given a streamed request that asks for usage
    ChatCompletionCreateParams params =
        chat("gpt", "stream to the openai sdk please")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .build();
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    List<ChatCompletionChunk> chunks = new ArrayList<>();

    // When the SDK streams it
    try (com.openai.core.http.StreamResponse<ChatCompletionChunk> stream =
        openAiSdk().chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunk -> chunks.add(accumulator.accumulate(chunk)));
    }

    // Then several content chunks arrived, they add up to the answer, and the last carries usage
    long withContent =
        chunks.stream()
            .filter(ch -> !ch.choices().isEmpty())
            .filter(
                ch -> ch.choices().get(0).delta().content().filter(t -> !t.isEmpty()).isPresent())
            .count();
    assertThat(withContent).isGreaterThan(1);
    ChatCompletion whole = accumulator.chatCompletion();
    assertThat(whole.choices().get(0).message().content())
        .hasValue("Echo: stream to the openai sdk please");
    assertThat(chunks.get(chunks.size() - 1).usage()).isPresent();
    assertThat(whole.usage().orElseThrow().totalTokens()).isPositive();
  }

  @Test
  void shouldReturnToolCallsToTheOpenAiSdk() {
    // Given a function tool the last user turn names
    ChatCompletionFunctionTool weather =
        ChatCompletionFunctionTool.builder()
            .function(
                FunctionDefinition.builder()
                    .name("get_weather")
                    .description("Weather of a city")
                    .parameters(
                        FunctionParameters.builder()
                            .putAdditionalProperty("type", JsonValue.from("object"))
                            .putAdditionalProperty(
                                "properties",
                                JsonValue.from(Map.of("input", Map.of("type", "string"))))
                            .build())
                    .build())
            .build();

    // When the SDK sends it, to both provider formats
    for (String model : List.of("gpt", "claude")) {
      ChatCompletion c =
          openAiSdk()
              .chat()
              .completions()
              .create(chat(model, "get_weather: Lisbon").addTool(weather).build());

      // Then the answer is one call of that tool with the simulator's arguments
      ChatCompletion.Choice choice = c.choices().get(0);
      assertThat(choice.finishReason())
          .as(model)
          .isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
      List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
      assertThat(calls).hasSize(1);
      ChatCompletionMessageFunctionToolCall call = calls.get(0).asFunction();
      assertThat(call.id()).isNotBlank();
      assertThat(call.function().name()).isEqualTo("get_weather");
      assertThat(call.function().arguments()).contains("Lisbon");
    }
  }

  @Test
  void shouldSurfaceAnUnknownModelToTheOpenAiSdkAs404() {
    // When the SDK names a model no alias serves; Then it raises its NotFoundException
    assertThatThrownBy(
            () -> openAiSdk().chat().completions().create(chat("no-such-model", "hi").build()))
        .isInstanceOf(com.openai.errors.NotFoundException.class)
        .hasMessageContaining("no-such-model");
  }

  @Test
  void shouldPassAProviderRateLimitToTheOpenAiSdkAs429() {
    // When the SDK calls the alias whose provider always answers 429 (no retry, no fallback)
    // Then it raises its RateLimitException, with the Retry-After the front door sets
    assertThatThrownBy(() -> openAiSdk().chat().completions().create(chat("limited", "hi").build()))
        .isInstanceOfSatisfying(
            RateLimitException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(429);
              assertThat(e.headers().values("Retry-After")).isNotEmpty();
            });
  }
}
