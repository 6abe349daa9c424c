package io.sluice.provider.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
  private static final String STREAM =
      ": keep-alive comment\r\n"
          + "event: message_start\r\n"
          + "data: {\"type\":\"message_start\"}\r\n"
          + "\r\n"
          + "data: first line\n"
          + "data:second line\n"
          + "id: 7\n"
          + "retry: 100\n"
          + "\n"
          + "event: ping\r"
          + "data: caf\u00e9 \u2603 \uD83D\uDE00\r"
          + "\r"
          + "event: no-data\n"
          + "\n"
          + "data: [DONE]\n"
          + "\n";

  private static final List<SseEvent> EXPECTED =
      List.of(
          new SseEvent("message_start", "{\"type\":\"message_start\"}"),
          new SseEvent("message", "first line\nsecond line"),
          new SseEvent("ping", "caf\u00e9 \u2603 \uD83D\uDE00"),
          new SseEvent("message", "[DONE]"));

  private static List<SseEvent> parse(byte[] bytes, int... cuts) throws IOException {
    List<SseEvent> events = new ArrayList<>();
    SseParser parser = new SseParser(events::add, 1 << 20);
    int from = 0;
    for (int cut : cuts) {
      parser.feed(bytes, from, cut - from);
      from = cut;
    }
    parser.feed(bytes, from, bytes.length - from);
    parser.finish();
    return events;
  }

  @Test
  void shouldParseEventsWithCrlfCommentsAndMultiLineDataWhenFedAtOnce() throws IOException {
    // Given a stream mixing LF, CR and CRLF line ends, comments, ids and an event without data
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);

    // When it is parsed in one piece
    List<SseEvent> events = parse(bytes);

    // Then each event with data comes out once, its data lines joined by \n
    assertThat(events).containsExactlyElementsOf(EXPECTED);
  }

  @Test
  void shouldParseTheSameEventsWhenSplitAtEveryByteBoundary() throws IOException {
    // Given the stream's bytes (multi-byte UTF-8 characters and CRLFs included)
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);

    for (int cut = 0; cut <= bytes.length; cut++) {
      // When it arrives in two pieces split at that byte
      List<SseEvent> events = parse(bytes, cut);

      // Then the events are the same
      assertThat(events).as("split at byte %d", cut).containsExactlyElementsOf(EXPECTED);
    }
  }

  @Test
  void shouldParseTheSameEventsWhenFedOneByteAtATime() throws IOException {
    // Given the stream's bytes
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    int[] cuts = new int[bytes.length - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }

    // When every byte is its own piece
    List<SseEvent> events = parse(bytes, cuts);

    // Then the events are the same
    assertThat(events).containsExactlyElementsOf(EXPECTED);
  }

  @Test
  void shouldDropAnEventWithoutItsBlankLineWhenTheBodyEnds() throws IOException {
    // Given a body whose last event is not terminated
    byte[] bytes = "data: one\n\ndata: half".getBytes(StandardCharsets.UTF_8);

    // When it is parsed to its end
    List<SseEvent> events = parse(bytes);

    // Then only the complete event came out
    assertThat(events).containsExactly(new SseEvent("message", "one"));
  }

  @Test
  void shouldFailWhenAnEventIsLargerThanTheBound() {
    // Given a parser accepting events of 16 bytes at most
    SseParser parser = new SseParser(e -> {}, 16);
    byte[] bytes = "data: 0123456789abcdefghij\n\n".getBytes(StandardCharsets.UTF_8);

    // When a larger event arrives, then the stream fails
    assertThatThrownBy(() -> parser.feed(bytes, 0, bytes.length))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("larger than 16 bytes");
  }
}
