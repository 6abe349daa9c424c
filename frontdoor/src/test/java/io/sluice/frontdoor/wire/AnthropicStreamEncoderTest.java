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

class AnthropicStreamEncoderTest {
  private final StreamEncoder enc =
      new AnthropicWire()
          .stream(
              new WireCall("claude-haiku", List.of(), null, List.of(), true, false, null, Map.of()),
              "req-1");

  /** The blocks a client accumulates: text, or tool id plus the input JSON text. */
  private static List<String> blocks(List<Event> events) {
    List<StringBuilder> out = new ArrayList<>();
    for (Event e : events) {
      JsonNode d = e.json();
      switch (e.name()) {
        case "content_block_start" -> {
          assertThat(d.path("index").asInt()).isEqualTo(out.size());
          JsonNode b = d.path("content_block");
          out.add(
              new StringBuilder(
                  b.path("type").asText().equals("tool_use") ? b.path("id").asText() + ":" : ""));
        }
        case "content_block_delta" -> {
          JsonNode delta = d.path("delta");
          out.get(d.path("index").asInt())
              .append(
                  delta.path("type").asText().equals("text_delta")
                      ? delta.path("text").asText()
                      : delta.path("partial_json").asText());
        }
        default -> {}
      }
    }
    return out.stream().map(StringBuilder::toString).toList();
  }

  private static List<String> names(List<Event> events) {
    return events.stream().map(Event::name).toList();
  }

  @Test
  void shouldStreamMessageStartBlocksMessageDeltaAndStop() {
    // Given a stream of two text chunks; When the response follows
    List<Event> events =
        events(
            enc.start(),
            enc.chunk(text(0, "Hel")),
            enc.chunk(text(1, "lo")),
            enc.end(ok("Hello").build()));

    // Then the client sees Anthropic's event sequence
    assertThat(names(events))
        .containsExactly(
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop");
    JsonNode message = events.get(0).json().path("message");
    assertThat(message.path("id").asText()).isEqualTo("req-1");
    assertThat(message.path("model").asText()).isEqualTo("claude-haiku");
    assertThat(message.path("content")).isEmpty();
    assertThat(blocks(events)).containsExactly("Hello");
    JsonNode delta = events.get(5).json();
    assertThat(delta.path("delta").path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(delta.path("usage").path("output_tokens").asInt()).isEqualTo(5);
    assertThat(events).allMatch(e -> e.json().path("type").asText().equals(e.name()));
  }

  @Test
  void shouldStreamTextThenToolUseAsTwoBlocks() {
    // Given text and then a tool call in deltas
    String args = "{\"city\":\"Paris\"}";
    List<Event> events =
        events(
            enc.start(),
            enc.chunk(text(0, "Checking.")),
            enc.chunk(tool(1, 0, "toolu_1", "get_weather", "")),
            enc.chunk(tool(2, 0, null, null, "{\"city\":")),
            enc.chunk(tool(3, 0, null, null, "\"Paris\"}")),
            enc.end(ok("Checking.", new ToolInvocation("toolu_1", "get_weather", args)).build()));

    // Then a text block, then a tool_use block with input_json_delta, then tool_use stop reason
    assertThat(blocks(events)).containsExactly("Checking.", "toolu_1:" + args);
    JsonNode start =
        events.stream().filter(e -> e.name().equals("content_block_start")).toList().get(1).json();
    assertThat(start.path("content_block").path("name").asText()).isEqualTo("get_weather");
    assertThat(start.path("content_block").path("input").isEmpty()).isTrue();
    assertThat(names(events).stream().filter(n -> n.equals("content_block_stop"))).hasSize(2);
    Event messageDelta = events.get(events.size() - 2);
    assertThat(messageDelta.json().path("delta").path("stop_reason").asText())
        .isEqualTo("tool_use");
  }

  @Test
  void shouldCompleteFromTheResponseWhenItOvertakesTheChunksOrNoneCame() {
    // Given one chunk of a text and a tool call that no chunk carried
    List<byte[]> out = new ArrayList<>(List.of(enc.start(), enc.chunk(text(0, "one "))));

    // When the response arrives, then the late chunks
    out.add(enc.end(ok("one two", new ToolInvocation("toolu_2", "f", "{\"a\":1}")).build()));
    out.add(enc.chunk(text(1, "two")));

    // Then the client gets the rest of the text and the whole call, once
    List<Event> events = events(out.toArray(new byte[0][]));
    assertThat(blocks(events)).containsExactly("one two", "toolu_2:{\"a\":1}");
    assertThat(names(events)).last().isEqualTo("message_stop");
  }

  @Test
  void shouldEndWithAnErrorEventWhenTheResponseIsAnError() {
    // Given a stream cut after a chunk
    List<byte[]> out = new ArrayList<>(List.of(enc.start(), enc.chunk(text(0, "par"))));

    // When the response is ERROR stream_interrupted
    out.add(enc.end(failed(ResponseStatus.ERROR, "stream_interrupted", "cut", "partial")));

    // Then the block is completed and closed, an error event ends the stream, no message_stop
    List<Event> events = events(out.toArray(new byte[0][]));
    assertThat(blocks(events)).containsExactly("partial");
    Event last = events.get(events.size() - 1);
    assertThat(last.name()).isEqualTo("error");
    assertThat(last.json().path("type").asText()).isEqualTo("error");
    assertThat(last.json().path("error").path("type").asText()).isEqualTo("api_error");
    assertThat(last.json().path("error").path("message").asText()).isEqualTo("cut");
    assertThat(names(events)).doesNotContain("message_stop", "message_delta");
  }

  @Test
  void shouldEndWithAnErrorEventWhenFailed() {
    // Given a started stream; When it fails
    enc.start();
    List<Event> events = events(enc.fail(new WireError(503, "overloaded", "busy", null, 1L)));

    // Then one error event of overloaded_error, and nothing after it
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.name()).isEqualTo("error");
              assertThat(e.json().path("error").path("type").asText())
                  .isEqualTo("overloaded_error");
            });
    assertThat(enc.end(ok("x").build())).isEmpty();
  }
}
