package io.sluice.topology;

import io.sluice.events.Request;
import io.sluice.internal.PendingRequest;
import java.util.ArrayList;
import java.util.HashMap;

/**
 * How an admitted request becomes its {@code pending} value: its times, its trace, its place in the
 * task's order and its reply address, with nothing dispatched and no tool round yet.
 *
 * <p>Every field is set, those at their schema defaults too: Avro's builder looks the default of
 * each field left unset up by the field (hashing its schema) and copies it, and that was 3 % of the
 * stream thread's samples per request (docs/BENCHMARKS.md, the JFR sections). The collections are
 * fresh and mutable, as the defaults would be. {@code AcceptedRequestsTest} holds the values to the
 * schema's defaults.
 */
final class AcceptedRequests {
  private AcceptedRequests() {}

  /**
   * The pending value of {@code request}, accepted at {@code now}: created at its {@code
   * created_at}, else at its record's timestamp; due {@code timeout_ms} after that, else {@code
   * defaultTimeoutMs}.
   */
  static PendingRequest pending(
      Request request,
      long recordTimestamp,
      long now,
      long defaultTimeoutMs,
      TraceIds.Context trace,
      String rootSpanId,
      long seq,
      ReplyAddress reply) {
    long createdAt =
        request.getCreatedAt() != null ? request.getCreatedAt().toEpochMilli() : recordTimestamp;
    long timeout = request.getTimeoutMs() != null ? request.getTimeoutMs() : defaultTimeoutMs;
    return PendingRequest.newBuilder()
        .setRequest(request)
        .setAcceptedAtMs(now)
        .setCreatedAtMs(createdAt)
        .setDeadlineMs(createdAt + timeout)
        .setTraceId(trace.traceId())
        .setRootSpanId(rootSpanId)
        .setParentSpanId(trace.parentSpanId())
        .setSeq(seq)
        .setReplyTopic(reply == null ? null : reply.topic())
        .setReplyPartition(reply == null ? null : reply.partition())
        // the defaults, set so that the builder need not look them up
        .setDispatches(0)
        .setRound(0)
        .setToolMessages(new ArrayList<>())
        .setAwaiting(new ArrayList<>())
        .setAwaitingNames(new ArrayList<>())
        .setToolDeadlineMs(null)
        .setRoundStartedMs(0L)
        .setPriorAttempts(0)
        .setPriorCostUsd(0.0)
        .setPriorPromptTokens(0)
        .setPriorCompletionTokens(0)
        .setRoundDispatch(0)
        .setStageAttributes(new HashMap<>())
        .build();
  }
}
