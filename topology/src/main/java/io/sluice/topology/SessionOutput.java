package io.sluice.topology;

import io.sluice.events.Response;
import io.sluice.events.ToolCall;
import io.sluice.events.ToolResult;
import io.sluice.events.TraceSpan;
import io.sluice.events.Usage;

/** The session processor's outputs; each goes to its own topic, keyed as the contract says. */
sealed interface SessionOutput {
  /** To the responses topic, keyed by session_id. */
  record ResponseOut(Response response) implements SessionOutput {}

  /**
   * To the request's reply topic and partition (null: the default partitioner, by session_id), as
   * well as to the responses topic: the same Response, with the header {@code sluice.reply.kind:
   * response}.
   */
  record ReplyOut(Response response, String topic, Integer partition) implements SessionOutput {
    static ReplyOut to(ReplyAddress address, Response response) {
      return new ReplyOut(response, address.topic(), address.partition());
    }
  }

  /** To the traces topic, keyed by request_id. */
  record SpanOut(TraceSpan span) implements SessionOutput {}

  /** To the usage topic, keyed by tenant_id. */
  record UsageOut(Usage usage) implements SessionOutput {}

  /** To the tool-calls topic, keyed by session_id. */
  record ToolCallOut(ToolCall call) implements SessionOutput {}

  /** To the tool-results topic, keyed by session_id: a result the gateway made (a timeout). */
  record ToolResultOut(ToolResult result) implements SessionOutput {}

  /**
   * To the admission stage's releases topic, keyed by tenant_id ("" for none): the request is
   * answered, its parallel slot is free. Left unconnected when the topology has no admission stage.
   */
  record ReleaseOut(String requestId) implements SessionOutput {}

  /**
   * To the compacted cache topic, keyed by the cache key: an entry, or with a null response a
   * tombstone that deletes an expired one.
   */
  record CacheOut(Response response) implements SessionOutput {}
}
