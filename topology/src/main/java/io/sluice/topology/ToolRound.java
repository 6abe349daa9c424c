package io.sluice.topology;

import io.sluice.events.ChatMessage;
import io.sluice.events.ErrorInfo;
import io.sluice.events.Request;
import io.sluice.events.ToolCall;
import io.sluice.events.ToolInvocation;
import io.sluice.events.ToolResult;
import io.sluice.internal.Completion;
import io.sluice.internal.PendingRequest;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.schema.serde.AvroSize;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tool round of a session's head: the model asked for tools, so the request is parked (its
 * session waits) with the round's calls awaited in its pending record, one {@code ToolCall} is
 * emitted per call, and each result (or the gateway's timeout of it) adds a tool message. The state
 * machine sends the conversation back to the model once nothing is awaited. Every change of the
 * pending request is a {@code pending} put, checked against the record bound first.
 */
final class ToolRound {
  private final ToolSettings tools;
  private final OutputBounds bounds;
  private final GatewayMetrics metrics;
  private final Tracer tracer;
  private final io.sluice.guardrails.PiiMetrics pii;

  ToolRound(ToolSettings tools, OutputBounds bounds, GatewayMetrics metrics, Tracer tracer) {
    this.tracer = tracer;
    this.tools = tools;
    this.bounds = bounds;
    this.metrics = metrics;
    this.pii = new io.sluice.guardrails.PiiMetrics(metrics.registry(), "tool_result");
  }

  /**
   * Records this round's calls in {@code p}, puts it and emits one ToolCall each. Returns null, or
   * when the conversation with this round would not fit in a record, the {@code request_too_large}
   * outcome to answer the request with (nothing is then put or emitted).
   */
  Outcome start(PendingRequest p, Completion c, long now, Decisions d) {
    Request r = p.getRequest();
    String id = r.getRequestId();
    long deadline = now + tools.timeout().toMillis();
    List<ChatMessage> toolMessages = new ArrayList<>(p.getToolMessages());
    toolMessages.add(Conversation.assistantTurn(c.getContent(), c.getToolCalls()));
    List<String> awaiting = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (ToolInvocation t : c.getToolCalls()) {
      awaiting.add(t.getId());
      names.add(t.getName());
    }
    p.setRound(p.getRound() + 1);
    p.setRoundDispatch(c.getDispatch());
    p.setToolMessages(toolMessages);
    p.setAwaiting(awaiting);
    p.setAwaitingNames(names);
    p.setToolDeadlineMs(deadline);
    p.setRoundStartedMs(now);
    p.setPriorAttempts(p.getPriorAttempts() + c.getAttempts().size());
    p.setPriorCostUsd(p.getPriorCostUsd() + c.getCostUsd());
    p.setPriorPromptTokens(p.getPriorPromptTokens() + c.getUsage().getPromptTokens());
    p.setPriorCompletionTokens(p.getPriorCompletionTokens() + c.getUsage().getCompletionTokens());
    long bound = bounds.limits().valueBound(id);
    if (AvroSize.exceeds(p, bound)) {
      metrics.recordBounded("PendingRequest", "replaced");
      return Outcome.failed(
          new ErrorInfo(
              "request_too_large",
              "the conversation with tool round "
                  + p.getRound()
                  + " is over the record limit of "
                  + bound
                  + " bytes (kafka.max_record_bytes)",
              false,
              null,
              null),
          0);
    }
    d.putPending(id, p);
    for (ToolInvocation t : c.getToolCalls()) {
      d.emit(
          r.getSessionId(),
          new SessionOutput.ToolCallOut(
              new ToolCall(
                  id,
                  r.getSessionId(),
                  t.getId(),
                  t.getName(),
                  t.getArgumentsJson(),
                  p.getRound(),
                  deadline,
                  p.getTraceId())));
    }
    return null;
  }

  /**
   * The round's deadline passed: every call still awaited gets the gateway's own error result
   * (emitted to the tool-results topic, so the record of the round is complete) and is applied.
   */
  void timeOut(PendingRequest p, long now, Decisions d) {
    Request r = p.getRequest();
    for (String callId : new ArrayList<>(p.getAwaiting())) {
      int i = p.getAwaiting().indexOf(callId);
      String name = i < p.getAwaitingNames().size() ? p.getAwaitingNames().get(i) : "";
      String why =
          "tool '" + name + "' did not answer within " + tools.timeout().toMillis() + " ms";
      d.emit(
          r.getSessionId(),
          new SessionOutput.ToolResultOut(
              new ToolResult(
                  r.getRequestId(), r.getSessionId(), callId, name, why, true, p.getRound())));
      apply(p, callId, why, true, now, d);
    }
  }

  /**
   * Adds one awaited result to the round: a tool message for the model (replaced by an error note
   * if it would not fit in the record), a {@code pending} put and a tool.call span.
   */
  void apply(
      PendingRequest p, String callId, String result, boolean isError, long now, Decisions d) {
    // a tool's result goes to the provider too: masked like the request (block cannot refuse a
    // round half-way, so it masks here as well)
    String content = tools.pii().forTenant(p.getRequest().getTenantId()).maskText(result, pii);
    int i = p.getAwaiting().indexOf(callId);
    List<String> awaiting = new ArrayList<>(p.getAwaiting());
    List<String> names = new ArrayList<>(p.getAwaitingNames());
    String name = i < names.size() ? names.get(i) : "";
    awaiting.remove(i);
    if (i < names.size()) {
      names.remove(i);
    }
    List<ChatMessage> toolMessages = new ArrayList<>(p.getToolMessages());
    ChatMessage message = new ChatMessage("tool", content, callId, name, List.of());
    toolMessages.add(message);
    inCallOrder(toolMessages);
    p.setAwaiting(awaiting);
    p.setAwaitingNames(names);
    p.setToolMessages(toolMessages);
    long bound = bounds.limits().valueBound(p.getRequest().getRequestId());
    if (AvroSize.exceeds(p, bound)) {
      // the model is told the tool failed; the request goes on and stays within its record
      long bytes = History.bytes(message);
      message.setContent(
          "[the result of tool '"
              + name
              + "' was "
              + bytes
              + " bytes and was dropped: over the record limit of "
              + bound
              + " bytes (kafka.max_record_bytes)]");
      isError = true;
      metrics.recordBounded("ToolResult", "replaced");
    }
    d.putPending(p.getRequest().getRequestId(), p);
    Map<String, String> attrs = new HashMap<>();
    attrs.put("tool", name);
    attrs.put("tool_call_id", callId);
    attrs.put("round", String.valueOf(p.getRound()));
    attrs.put("is_error", String.valueOf(isError));
    tracer.stage(p, "tool.call", p.getRoundStartedMs(), now, !isError, attrs, d);
  }

  /**
   * Puts the current round's results in the order the model asked for the calls, whatever order
   * they arrived in, so the follow-up conversation (and its answer) does not depend on which tool
   * was faster.
   */
  static void inCallOrder(List<ChatMessage> toolMessages) {
    int round = toolMessages.size() - 1;
    while (round >= 0 && toolMessages.get(round).getRole().equals("tool")) {
      round--;
    }
    if (round < 0) {
      return;
    }
    List<String> order = new ArrayList<>();
    toolMessages.get(round).getToolCalls().forEach(t -> order.add(t.getId()));
    toolMessages
        .subList(round + 1, toolMessages.size())
        .sort(Comparator.comparingInt(m -> order.indexOf(m.getToolCallId())));
  }
}
