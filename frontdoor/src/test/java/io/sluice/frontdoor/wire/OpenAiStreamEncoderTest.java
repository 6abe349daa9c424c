package io.sluice.frontdoor.wire;

import static io.sluice.frontdoor.wire.WireFixtures.events;
import static io.sluice.frontdoor.wire.WireFixtures.failed;
import static io.sluice.frontdoor.wire.WireFixtures.ok;
import static io.sluice.frontdoor.wire.WireFixtures.text;
import static io.sluice.frontdoor.wire.WireFixtures.tool;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.events.ResponseStatus;
import io.sluice.events.ToolInvocation;
import io.sluice.frontdoor.wire.WireFixtures.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenAiStreamEncoderTest {
  private static WireCall call(boolean includeUsage) {
    return new WireCall(
        "gpt-4o-mini", List.of(), null, List.of(), true, includeUsage, null, Map.of());
  }

  /** What a client accumulates from the stream: the content and each call's arguments. */
  private static String content(List<Event> events) {
    StringBuilder sb = new StringBuilder();
    for (Event e : events) {
      if (!e.data().equals("[DONE]") && e.json().has("choices")) {
        for (JsonNode c : e.json().path("choices")) {
          sb.append(c.path("delta").path("content").asText(""));
        }
      }
    }
    return sb.toString();
  }

  @Test
  void shouldStreamRoleThenDeltasThenFinishThenUsageThenDone() {
    // Given a stream that asked for usage
    StreamEncoder enc = new OpenAiWire().stream(call(true), "req-1");

    // When it starts, gets two chunks and the final response
    List<Event> events =
        events(
            enc.start(),
            enc.chunk(text(0, "Hel")),
            enc.chunk(text(1, "lo")),
            enc.end(ok("Hello").build()));

    // Then the client sees OpenAI's chunk sequence
    assertThat(events).hasSize(6);
    JsonNode first = events.get(0).json();
    assertThat(first.path("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(first.path("id").asText()).isEqualTo("req-1");
    assertThat(first.path("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(first.path("choices").path(0).path("delta").path("role").asText())
        .isEqualTo("assistant");
    assertThat(content(events)).isEqualTo("Hello");
    JsonNode finish = events.get(3).json().path("choices").path(0);
    assertThat(finish.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(finish.path("delta").isEmpty()).isTrue();
    JsonNode usage = events.get(4).json();
    assertThat(usage.path("choices")).isEmpty();
    assertThat(usage.path("usage").path("total_tokens").asInt()).isEqualTo(17);
    assertThat(events.get(5).data()).isEqualTo("[DONE]");
  }

  @Test
  void shouldSendNoUsageChunkWhenNotAskedFor() {
    // Given a stream without include_usage
    StreamEncoder enc = new OpenAiWire().stream(call(false), "req-1");

    // When it ends
    List<Event> events = events(enc.start(), enc.end(ok("Hi").build()));

    // Then no chunk has empty choices
    assertThat(events)
        .noneMatch(e -> !e.data().equals("[DONE]") && e.json().path("choices").isEmpty());
    assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
  }

  @Test
  void shouldCompleteTheContentWhenTheResponseOvertakesTheLastChunks() {
    // Given a stream that got one chunk of three
    StreamEncoder enc = new OpenAiWire().stream(call(false), "req-1");
    List<byte[]> out = new ArrayList<>(List.of(enc.start(), enc.chunk(text(0, "one "))));

    // When the response arrives first, and the late chunks after it
    out.add(enc.end(ok("one two three").build()));
    out.add(enc.chunk(text(1, "two ")));
    out.add(enc.chunk(text(2, "three")));

    // Then the client has the whole content once, and nothing after [DONE]
    List<Event> events = events(out.toArray(new byte[0][]));
    assertThat(content(events)).isEqualTo("one two three");
    assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
  }

  @Test
  void shouldStreamACacheHitWithNoChunkAsAWholeStream() {
    // Given a stream whose answer comes with no chunk (a cache hit or a replay)
    StreamEncoder enc = new OpenAiWire().stream(call(true), "req-1");

    // When the response arrives
    List<Event> events =
        events(enc.start(), enc.end(ok("cached answer").setCacheHit(true).build()));

    // Then the stream is complete: role, content, finish, usage, [DONE]
    assertThat(content(events)).isEqualTo("cached answer");
    assertThat(events).extracting(Event::data).last().isEqualTo("[DONE]");
    assertThat(events).hasSize(5);
  }

  @Test
  void shouldDropADuplicateChunk() {
    // Given a stream that got chunk 0
    StreamEncoder enc = new OpenAiWire().stream(call(false), "req-1");
    enc.start();
    enc.chunk(text(0, "a"));

    // When chunk 0 comes again; Then nothing is sent
    assertThat(enc.chunk(text(0, "a"))).isEmpty();
  }

  @Test
  void shouldStreamToolCallDeltasWithIdTypeAndNameFirst() {
    // Given a stream of a tool call in three deltas
    StreamEncoder enc = new OpenAiWire().stream(call(false), "req-1");
    String args = "{\"city\":\"Paris\"}";

    // When they arrive and the response follows
    List<Event> events =
        events(
            enc.start(),
            enc.chunk(tool(0, 0, "call_1", "get_weather", "")),
            enc.chunk(tool(1, 0, null, null, "{\"city\":")),
            enc.chunk(tool(2, 0, null, null, "\"Paris\"}")),
            enc.end(ok("", new ToolInvocation("call_1", "get_weather", args)).build()));

    // Then the first delta names the call and the rest carry arguments only
    JsonNode first =
        events.get(1).json().path("choices").path(0).path("delta").path("tool_calls").path(0);
    assertThat(first.path("index").asInt()).isZero();
    assertThat(first.path("id").asText()).isEqualTo("call_1");
    assertThat(first.path("type").asText()).isEqualTo("function");
    assertThat(first.path("function").path("name").asText()).isEqualTo("get_weather");
    JsonNode second =
        events.get(2).json().path("choices").path(0).path("delta").path("tool_calls").path(0);
    assertThat(second.has("id")).isFalse();
    assertThat(second.path("function").has("name")).isFalse();
    StringBuilder got = new StringBuilder();
    for (Event e : events) {
      if (!e.data().equals("[DONE]")) {
        for (JsonNode tc : e.json().path("choices").path(0).path("delta").path("tool_calls")) {
          got.append(tc.path("function").path("arguments").asText());
        }
      }
    }
    assertThat(got.toString()).isEqualTo(args);
    assertThat(events.get(4).json().path("choices").path(0).path("finish_reason").asText())
        .isEqualTo("tool_calls");
  }

  @Test
  void shouldSendToolCallsThatNoChunkCarriedWhenTheResponseArrives() {
    // Given a stream with no chunk
    StreamEncoder enc = new OpenAiWire().stream(call(false), "req-1");

    // When a response with a tool call arrives
    List<Event> events =
        events(enc.start(), enc.end(ok("", new ToolInvocation("call_9", "f", "{}")).build()));

    // Then the call is sent whole before the finish chunk
    JsonNode tc =
        events.get(1).json().path("choices").path(0).path("delta").path("tool_calls").path(0);
    assertThat(tc.path("id").asText()).isEqualTo("call_9");
    assertThat(tc.path("function").path("arguments").asText()).isEqualTo("{}");
  }

  @Test
  void shouldEndWithAnErrorEventAndNoDoneWhenTheResponseIsAnError() {
    // Given a stream cut after its chunks
    StreamEncoder enc = new OpenAiWire().stream(call(true), "req-1");
    List<byte[]> out = new ArrayList<>(List.of(enc.start(), enc.chunk(text(0, "par"))));

    // When the response is ERROR stream_interrupted with the partial content
    out.add(
        enc.end(
            failed(
                ResponseStatus.ERROR,
                "stream_interrupted",
                "the provider cut the stream",
                "partial")));

    // Then the partial content is completed, an error event ends it and there is no [DONE]
    List<Event> events = events(out.toArray(new byte[0][]));
    assertThat(content(events)).isEqualTo("partial");
    Event last = events.get(events.size() - 1);
    assertThat(last.json().path("error").path("code").asText()).isEqualTo("stream_interrupted");
    assertThat(last.json().path("error").path("type").asText()).isEqualTo("api_error");
    assertThat(events).extracting(Event::data).doesNotContain("[DONE]");
  }

  @Test
  void shouldEndWithAnErrorEventWhenFailedAndIgnoreAnythingAfter() {
    // Given a started stream
    StreamEncoder enc = new OpenAiWire().stream(call(false), "req-1");
    enc.start();

    // When it fails
    List<Event> events = events(enc.fail(new WireError(504, "timeout", "too late", null, null)));

    // Then one error event, and nothing after it
    assertThat(events).hasSize(1);
    assertThat(events.get(0).json().path("error").path("code").asText()).isEqualTo("timeout");
    assertThat(enc.end(ok("x").build())).isEmpty();
    assertThat(enc.chunk(text(5, "x"))).isEmpty();
  }
}
