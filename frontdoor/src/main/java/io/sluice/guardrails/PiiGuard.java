package io.sluice.guardrails;

import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.ToolInvocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One policy, ready to apply: masks, blocks or passes a {@link Request}. It looks at every text a
 * request carries to the provider or into traces: each message's content and its tool calls'
 * arguments, and the metadata values. Immutable and thread-safe.
 */
public final class PiiGuard {
  /** Metadata key prefix of the counts a masked request carries into its spans (counts only). */
  public static final String COUNT_PREFIX = "sluice.pii.";

  static {
    io.sluice.schema.AvroTrust.install(); // copies of Requests build nested records
  }

  public static final PiiGuard OFF = PiiPolicy.off().compile();

  private final PiiPolicy policy;
  private final PiiScanner scanner;
  private final Placeholders placeholders;

  PiiGuard(PiiPolicy policy, PiiScanner scanner, Placeholders placeholders) {
    this.policy = policy;
    this.scanner = scanner;
    this.placeholders = placeholders;
  }

  public PiiPolicy policy() {
    return policy;
  }

  public PiiMode mode() {
    return policy.mode();
  }

  /** True when the front door should put originals back into the answers of masked requests. */
  public boolean restores() {
    return policy.mode() == PiiMode.MASK && policy.restore();
  }

  PiiScanner scanner() {
    return scanner;
  }

  /** A fresh masking with this policy's detectors (for texts that are not a request). */
  public Redaction redaction() {
    return new Redaction(scanner, placeholders);
  }

  /**
   * {@code text} masked (in {@code mask} and {@code block} mode alike: for texts that cannot be
   * refused, such as a tool's result), its counts recorded in {@code metrics}; unchanged when off.
   */
  public String maskText(String text, PiiMetrics metrics) {
    if (policy.mode() == PiiMode.OFF || text == null) {
      return text;
    }
    Redaction red = redaction();
    String masked = red.mask(text);
    metrics.record(red.counts());
    return masked;
  }

  public PiiOutcome apply(Request r) {
    if (policy.mode() == PiiMode.OFF) {
      return new PiiOutcome(r, null, false);
    }
    Redaction red = redaction();
    if (policy.mode() == PiiMode.BLOCK) {
      for (ChatMessage m : r.getMessages()) {
        red.count(m.getContent());
        for (ToolInvocation t : m.getToolCalls()) {
          red.count(t.getArgumentsJson());
        }
      }
      r.getMetadata().values().forEach(red::count);
      return new PiiOutcome(r, red, red.found());
    }
    List<ChatMessage> messages = new ArrayList<>(r.getMessages().size());
    for (ChatMessage m : r.getMessages()) {
      messages.add(mask(m, red));
    }
    Map<String, String> metadata = new HashMap<>();
    r.getMetadata().forEach((k, v) -> metadata.put(k, red.mask(v)));
    if (!red.found()) {
      return new PiiOutcome(r, red, false);
    }
    red.counts()
        .forEach(
            (entity, n) ->
                metadata.merge(
                    COUNT_PREFIX + entity,
                    String.valueOf(n),
                    (a, b) -> String.valueOf(parse(a) + parse(b))));
    Request masked = Request.newBuilder(r).setMessages(messages).setMetadata(metadata).build();
    return new PiiOutcome(masked, red, false);
  }

  private static ChatMessage mask(ChatMessage m, Redaction red) {
    String content = red.mask(m.getContent());
    List<ToolInvocation> calls = m.getToolCalls();
    List<ToolInvocation> maskedCalls = calls;
    for (int i = 0; i < calls.size(); i++) {
      ToolInvocation t = calls.get(i);
      String args = red.mask(t.getArgumentsJson());
      if (!args.equals(t.getArgumentsJson())) {
        if (maskedCalls == calls) {
          maskedCalls = new ArrayList<>(calls);
        }
        maskedCalls.set(i, ToolInvocation.newBuilder(t).setArgumentsJson(args).build());
      }
    }
    if (content.equals(m.getContent()) && maskedCalls == calls) {
      return m;
    }
    return ChatMessage.newBuilder(m).setContent(content).setToolCalls(maskedCalls).build();
  }

  private static long parse(String n) {
    try {
      return Long.parseLong(n);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
