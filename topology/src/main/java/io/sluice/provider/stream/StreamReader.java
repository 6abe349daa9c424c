package io.sluice.provider.stream;

import io.sluice.provider.ChatResult;
import java.io.IOException;

/**
 * Turns one provider format's stream events into {@link StreamDelta}s, in order, and accumulates
 * the same {@link ChatResult} the provider's non-streamed answer gives. One reader per call, fed by
 * one thread.
 */
public interface StreamReader {
  /** Receives each delta as soon as its event is read; runs on the transport's I/O thread. */
  @FunctionalInterface
  interface DeltaListener {
    void onDelta(StreamDelta delta);
  }

  /**
   * Reads one event.
   *
   * @throws IOException when the event is malformed or the provider reports an error mid-stream
   */
  void onEvent(SseEvent event) throws IOException;

  /** True once the format's end event arrived ({@code [DONE]}, {@code message_stop}). */
  boolean complete();

  /** The answer streamed so far. */
  ChatResult result();
}
