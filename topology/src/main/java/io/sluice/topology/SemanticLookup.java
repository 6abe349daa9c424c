package io.sluice.topology;

import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.semantic.SemanticQuery;
import java.util.ArrayList;
import java.util.List;

/**
 * The semantic cache's view of a request: its exact cache key, and the scope within which its last
 * user turn is compared by meaning: the exact key of the same conversation with that turn left
 * empty, always per tenant (a semantic hit never crosses tenants, whatever {@code cache.scope}).
 */
final class SemanticLookup {
  private SemanticLookup() {}

  /** The query, or null when the conversation does not end with a user turn. */
  static SemanticQuery query(Request r, List<ChatMessage> messages, boolean perTenant) {
    if (messages.isEmpty()) {
      return null;
    }
    ChatMessage last = messages.get(messages.size() - 1);
    if (!"user".equals(last.getRole())
        || last.getContent() == null
        || last.getContent().isBlank()) {
      return null;
    }
    List<ChatMessage> scoped = new ArrayList<>(messages.subList(0, messages.size() - 1));
    scoped.add(ChatMessage.newBuilder(last).setContent("").build());
    return new SemanticQuery(
        CacheKeys.of(r, messages, perTenant),
        "semantic:" + CacheKeys.of(r, scoped, true),
        last.getContent(),
        r.getRequestId());
  }
}
