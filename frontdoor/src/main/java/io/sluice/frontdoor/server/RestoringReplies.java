package io.sluice.frontdoor.server;

import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.events.ToolCallDelta;
import io.sluice.events.ToolInvocation;
import io.sluice.guardrails.Redaction;
import io.sluice.guardrails.StreamRestorer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts the originals of one masked request back into its answer, for the client only ({@code
 * guardrails.pii.restore}): the Response's content and tool call arguments, and the same in each
 * streamed chunk (a placeholder split between chunks is held back until it is whole; the encoders
 * send what is held back at the end, as the rest of the final content). The mapping lives in this
 * object, on the call's event loop, for as long as the call: never in a record.
 */
final class RestoringReplies {
  private final Redaction redaction;
  private final StreamRestorer text;
  private final Map<Integer, StreamRestorer> arguments = new HashMap<>();

  RestoringReplies(Redaction redaction) {
    this.redaction = redaction;
    this.text = new StreamRestorer(redaction);
  }

  ResponseChunk chunk(ResponseChunk c) {
    List<ToolCallDelta> deltas = c.getDeltaToolCalls();
    List<ToolCallDelta> restored = deltas;
    if (!deltas.isEmpty()) {
      restored = new ArrayList<>(deltas.size());
      for (ToolCallDelta d : deltas) {
        StreamRestorer r =
            arguments.computeIfAbsent(d.getIndex(), i -> new StreamRestorer(redaction));
        restored.add(
            ToolCallDelta.newBuilder(d).setArgumentsDelta(r.next(d.getArgumentsDelta())).build());
      }
    }
    return ResponseChunk.newBuilder(c)
        .setDeltaContent(text.next(c.getDeltaContent()))
        .setDeltaToolCalls(restored)
        .build();
  }

  Response response(Response r) {
    List<ToolInvocation> calls = new ArrayList<>(r.getToolCalls().size());
    for (ToolInvocation t : r.getToolCalls()) {
      calls.add(
          ToolInvocation.newBuilder(t)
              .setArgumentsJson(redaction.restore(t.getArgumentsJson()))
              .build());
    }
    return Response.newBuilder(r)
        .setContent(redaction.restore(r.getContent()))
        .setToolCalls(calls)
        .build();
  }
}
