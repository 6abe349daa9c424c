package io.sluice.frontdoor.reply;

import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;

/**
 * A call waiting for its reply records. Called on the reply reader thread: an implementation hands
 * the record to its own event loop and returns at once.
 */
public interface Waiter {
  /** A streamed delta; ignored by calls that do not stream. */
  void chunk(ResponseChunk chunk);

  /** The final answer; the last call this waiter gets. */
  void response(Response response);
}
