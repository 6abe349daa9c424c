package io.sluice.frontdoor.wire;

import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;

/**
 * Turns one streamed answer into Server-Sent Events, in order: {@link #start} once, {@link #chunk}
 * for each delta as it arrives, then exactly one of {@link #end} (the final {@code Response}
 * arrived) or {@link #fail} (the stream cannot finish). Each method returns the bytes to write, as
 * whole SSE events ({@code event: ...\n} where the format names events, {@code data: ...\n\n}). Not
 * thread-safe: one per stream, called from that stream's event loop.
 *
 * <p>{@link #end} must produce a complete stream whatever came before it: a cache hit or a replayed
 * answer arrives with no chunk, and the last chunks may arrive after the {@code Response} (they
 * travel on another producer): the encoder then sends what the content holds beyond what was
 * streamed. An {@code ERROR} response ends the stream with the format's error event (OpenAI: a
 * {@code data: {"error": {...}}} event; Anthropic: {@code event: error}), never with a clean end.
 */
public interface StreamEncoder {
  byte[] start();

  byte[] chunk(ResponseChunk chunk);

  byte[] end(Response response);

  byte[] fail(WireError error);
}
