package io.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.ResponseChunk;
import io.sluice.events.ToolCallDelta;
import io.sluice.provider.stream.StreamDelta;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ChunkStreamTest {
  private final List<ResponseChunk> written = new ArrayList<>();
  private final DispatchJob job =
      new DispatchJob(
          "r1", "s1", 0, 1, "m", List.of(), null, List.of(), Long.MAX_VALUE, 5, true, "replies", 3);
  private final ChunkStream stream =
      new ChunkStream(
          (topic, partition, chunk) -> {
            assertThat(topic).isEqualTo("replies");
            assertThat(partition).isEqualTo(3);
            written.add(chunk);
          },
          job,
          Clock.fixed(Instant.ofEpochMilli(1000), ZoneOffset.UTC),
          4);

  @Test
  void shouldSplitALargeDeltaIntoBoundedChunksWithoutBreakingASurrogatePair() {
    // Given a delta longer than a chunk may carry, with an emoji across a boundary
    String text = "abc\uD83D\uDE00defghij";

    // When it is written
    stream.delta(new StreamDelta(text, List.of()));

    // Then it went out in pieces of at most 4 characters that spell it, the pair kept whole
    assertThat(written).allMatch(c -> c.getDeltaContent().length() <= 4);
    assertThat(written.stream().map(ResponseChunk::getDeltaContent).collect(Collectors.joining()))
        .isEqualTo(text);
    assertThat(written.get(0).getDeltaContent()).isEqualTo("abc");
    assertThat(written).extracting(ResponseChunk::getIndex).containsExactly(0, 1, 2, 3);
    assertThat(stream.firstChunkMs()).isEqualTo(1000L);
  }

  @Test
  void shouldNameAToolCallOnlyOnItsFirstPieceWhenItsArgumentsAreSplit() {
    // Given a tool-call delta whose arguments are longer than a chunk may carry
    StreamDelta d =
        new StreamDelta(
            "", List.of(new StreamDelta.ToolDelta(0, "call_1", "lookup", "{\"a\":12}")));

    // When it is written
    stream.delta(d);

    // Then the first piece carries id and name, the others only arguments
    List<ToolCallDelta> pieces =
        written.stream().flatMap(c -> c.getDeltaToolCalls().stream()).toList();
    assertThat(pieces).hasSize(2);
    assertThat(pieces.get(0).getId()).isEqualTo("call_1");
    assertThat(pieces.get(0).getName()).isEqualTo("lookup");
    assertThat(pieces.get(1).getId()).isNull();
    assertThat(pieces.get(0).getArgumentsDelta() + pieces.get(1).getArgumentsDelta())
        .isEqualTo("{\"a\":12}");
  }

  @Test
  void shouldWriteOneLastChunkAndNothingAfterItWhenTheStreamIsInterrupted() {
    // Given a stream with one chunk out
    stream.delta(new StreamDelta("ab", List.of()));

    // When it breaks, and a late delta and another end follow
    assertThat(stream.abandonIfEmpty()).isFalse();
    stream.interrupted("stream_interrupted", "connection closed");
    stream.delta(new StreamDelta("late", List.of()));
    stream.end("stop");

    // Then the second and last chunk carries the error, and nothing followed it
    assertThat(written).hasSize(2);
    ResponseChunk last = written.get(1);
    assertThat(last.getIsLast()).isTrue();
    assertThat(last.getErrorCode()).isEqualTo("stream_interrupted");
    assertThat(last.getErrorMessage()).isEqualTo("connection closed");
    assertThat(stream.content()).isEqualTo("ab");
    assertThat(stream.sent()).isEqualTo(2);
  }

  @Test
  void shouldWriteNothingAfterBeingAbandonedBeforeItsFirstChunk() {
    // When an attempt fails before any chunk, and its connection still delivers a delta
    assertThat(stream.abandonIfEmpty()).isTrue();
    stream.delta(new StreamDelta("late", List.of()));

    // Then nothing was written for it
    assertThat(written).isEmpty();
  }
}
