package io.sluice.dispatch;

import io.sluice.events.ResponseChunk;
import io.sluice.events.ToolCallDelta;
import io.sluice.provider.stream.StreamDelta;
import java.time.Clock;
import java.util.List;

/**
 * The chunks of one dispatch's streamed answer: numbers them from 0, splits a delta larger than
 * {@code maxChars} into several chunks (so every chunk record is bounded), keeps what was streamed,
 * and writes the last chunk once. Deltas come on the transport's I/O thread, the end on the thread
 * that completes the call or a timer thread, so every method is synchronized; after the last chunk
 * nothing more is written.
 */
final class ChunkStream {
  /** The longest tool-call id or name a chunk carries. */
  static final int MAX_NAME = 1024;

  private final ChunkSink sink;
  private final DispatchJob job;
  private final Clock clock;
  private final int maxChars;
  private final StringBuilder content = new StringBuilder();
  private int sent;
  private Long firstChunkMs;
  private boolean ended;

  /**
   * @param maxChars the most characters of text or tool arguments one chunk carries
   */
  ChunkStream(ChunkSink sink, DispatchJob job, Clock clock, int maxChars) {
    this.sink = sink;
    this.job = job;
    this.clock = clock;
    this.maxChars = maxChars;
  }

  /** Writes {@code d} as one or more chunks. */
  synchronized void delta(StreamDelta d) {
    if (ended) {
      return;
    }
    String text = d.content();
    for (int pos = 0; pos < text.length(); ) {
      int end = cut(text, pos);
      write(text.substring(pos, end), List.of(), null, false, null, null);
      pos = end;
    }
    content.append(text);
    for (StreamDelta.ToolDelta t : d.toolCalls()) {
      String args = t.argumentsDelta();
      int pos = 0;
      boolean first = true;
      do {
        int end = cut(args, pos);
        ToolCallDelta piece =
            new ToolCallDelta(
                t.index(),
                first ? bounded(t.id()) : null,
                first ? bounded(t.name()) : null,
                args.substring(pos, end));
        write("", List.of(piece), null, false, null, null);
        first = false;
        pos = end;
      } while (pos < args.length());
    }
  }

  /** The stream ended cleanly: the last chunk, with the finish reason. */
  synchronized void end(String finishReason) {
    if (!ended) {
      write("", List.of(), finishReason, true, null, null);
      ended = true;
    }
  }

  /** The stream broke after its first chunk: the last chunk, with the error. */
  synchronized void interrupted(String code, String message) {
    if (!ended) {
      String shown =
          message == null || message.length() <= 500 ? message : message.substring(0, 500);
      write("", List.of(), null, true, code, shown);
      ended = true;
    }
  }

  /**
   * Ends the stream without a last chunk when nothing was written yet (the attempt failed before
   * its first chunk, and another may start a new stream); false when chunks are out.
   */
  synchronized boolean abandonIfEmpty() {
    if (sent == 0) {
      ended = true;
      return true;
    }
    return false;
  }

  /** Chunks written so far, the last one included. */
  synchronized int sent() {
    return sent;
  }

  /** When the first chunk was written (epoch millis), or null. */
  synchronized Long firstChunkMs() {
    return firstChunkMs;
  }

  /** The text streamed so far. */
  synchronized String content() {
    return content.toString();
  }

  /**
   * A tool call's id or name, cut to {@value #MAX_NAME} characters: a provider's, of any length.
   */
  private static String bounded(String s) {
    if (s == null || s.length() <= MAX_NAME) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(MAX_NAME - 1)) ? MAX_NAME - 1 : MAX_NAME;
    return s.substring(0, end);
  }

  /**
   * The end of the next piece from {@code pos}: at most maxChars, never inside a surrogate pair.
   */
  private int cut(String s, int pos) {
    int end = Math.min(s.length(), pos + maxChars);
    if (end < s.length() && end > pos + 1 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return end;
  }

  private void write(
      String text,
      List<ToolCallDelta> tools,
      String finish,
      boolean last,
      String errorCode,
      String errorMessage) {
    long now = clock.millis();
    if (firstChunkMs == null) {
      firstChunkMs = now;
    }
    ResponseChunk chunk =
        ResponseChunk.newBuilder()
            .setRequestId(job.requestId())
            .setSessionId(job.sessionId())
            .setIndex(sent++)
            .setDeltaContent(text)
            .setDeltaToolCalls(tools)
            .setFinishReason(finish)
            .setIsLast(last)
            .setErrorCode(errorCode)
            .setErrorMessage(errorMessage)
            .setAtMs(now)
            .build();
    sink.send(job.replyTopic(), job.replyPartition(), chunk);
  }
}
