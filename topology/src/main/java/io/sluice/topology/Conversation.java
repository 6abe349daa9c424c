package io.sluice.topology;

import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ToolInvocation;
import io.sluice.internal.SessionState;
import io.sluice.metrics.GatewayMetrics;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's conversation: the history a request is sent with (read only for requests that use it)
 * and the turn an answer adds to it. Reads go through {@link SessionStores}, after what the current
 * event has already put, so a head dispatched just after its predecessor's answer sees that
 * answer's turn.
 */
final class Conversation {
  private static final Logger log = LoggerFactory.getLogger(Conversation.class);

  private final SessionStores stores;
  private final SessionSettings settings;
  private final OutputBounds bounds;
  private final GatewayMetrics metrics;

  Conversation(
      SessionStores stores, SessionSettings settings, OutputBounds bounds, GatewayMetrics metrics) {
    this.stores = stores;
    this.settings = settings;
    this.bounds = bounds;
    this.metrics = metrics;
  }

  /** The conversation sent to the provider for the session's head (its history first). */
  List<ChatMessage> of(String sid, Request r, Decisions d) {
    List<ChatMessage> messages = new ArrayList<>();
    if (r.getUseHistory()) {
      SessionState st = session(sid, d);
      if (st != null) {
        messages.addAll(st.getHistory());
      }
    }
    messages.addAll(r.getMessages());
    return messages;
  }

  /**
   * Adds the request's messages and its answer to the session's history, trimmed to {@code
   * sessions.max_history_messages} and {@code sessions.max_history_bytes}, and puts the session.
   */
  void addTurn(Request r, Response response, long now, Decisions d) {
    String sid = r.getSessionId();
    SessionState st = session(sid, d);
    if (st == null) {
      st = new SessionState(List.of(), new ArrayList<>(), 0L, now);
    } else {
      st.setHistory(new ArrayList<>(st.getHistory())); // Avro's list cannot be changed in place
    }
    List<ChatMessage> turn = new ArrayList<>(r.getMessages());
    turn.add(assistantTurn(response.getContent(), response.getToolCalls()));
    History.Appended added =
        History.append(
            st.getHistory(),
            turn,
            settings.maxHistoryMessages(),
            bounds.limits().maxHistoryBytes());
    if (!added.kept()) {
      metrics.recordBounded("SessionState", "kept_out");
      log.debug(
          "the turn of {} is over sessions.max_history_bytes; kept out of the history of {}",
          r.getRequestId(),
          sid);
    }
    st.setQueue(List.of());
    st.setTurns(st.getTurns() + 1);
    st.setUpdatedAtMs(now);
    d.putSession(sid, st);
  }

  /** The model's turn as a message of the conversation. */
  static ChatMessage assistantTurn(String content, List<ToolInvocation> toolCalls) {
    return new ChatMessage("assistant", content == null ? "" : content, null, null, toolCalls);
  }

  private SessionState session(String sid, Decisions d) {
    SessionState st = d.sessionPut(sid);
    return st != null ? st : stores.session(sid);
  }
}
