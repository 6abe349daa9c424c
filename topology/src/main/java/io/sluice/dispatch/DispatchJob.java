package io.sluice.dispatch;

import io.sluice.events.ChatMessage;
import io.sluice.events.RequestParams;
import io.sluice.events.ToolSpec;
import java.util.List;

/**
 * A request handed from the session processor to the dispatcher: everything the call needs, so the
 * dispatcher never reads a store.
 *
 * @param partition the task partition that dispatched it; its completion goes back there
 * @param dispatch which dispatch of the request this is, from 1
 * @param model the alias (or provider/model) as requested
 * @param deadlineMs the request's deadline, epoch millis
 * @param priority 0 (lowest) to 9; higher goes first when a provider is saturated
 * @param stream true: call the provider with streaming and write each delta as a {@code
 *     ResponseChunk} to {@code replyTopic}
 * @param replyTopic the request's reply topic (header {@code sluice.reply.topic}), or null
 * @param replyPartition the reply topic's partition, or null for the producer's choice
 * @param flightKey for a cacheable request, its cache key: identical requests in flight at once may
 *     share one provider call ({@link io.sluice.singleflight.SingleFlight}); null otherwise
 */
public record DispatchJob(
    String requestId,
    String sessionId,
    int partition,
    int dispatch,
    String model,
    List<ChatMessage> messages,
    RequestParams params,
    List<ToolSpec> tools,
    long deadlineMs,
    int priority,
    boolean stream,
    String replyTopic,
    Integer replyPartition,
    String flightKey) {

  /** A job that shares its call with no other ({@code flightKey} null). */
  public DispatchJob(
      String requestId,
      String sessionId,
      int partition,
      int dispatch,
      String model,
      List<ChatMessage> messages,
      RequestParams params,
      List<ToolSpec> tools,
      long deadlineMs,
      int priority,
      boolean stream,
      String replyTopic,
      Integer replyPartition) {
    this(
        requestId,
        sessionId,
        partition,
        dispatch,
        model,
        messages,
        params,
        tools,
        deadlineMs,
        priority,
        stream,
        replyTopic,
        replyPartition,
        null);
  }

  /** true when the deltas of this call go to a reply topic as they arrive. */
  public boolean streamsChunks() {
    return stream && replyTopic != null;
  }
}
