package io.sluice.schema;

import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ToolCall;
import io.sluice.events.ToolResult;
import io.sluice.events.TraceSpan;
import io.sluice.events.Usage;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/** The public event types and the default topic (after the prefix) each is written to. */
public enum EventType {
  REQUEST(Request.class, "requests"),
  RESPONSE(Response.class, "responses"),
  TRACE_SPAN(TraceSpan.class, "traces"),
  USAGE(Usage.class, "usage"),
  TOOL_CALL(ToolCall.class, "tool-calls"),
  TOOL_RESULT(ToolResult.class, "tool-results");

  private final Class<? extends SpecificRecord> type;
  private final String topicSuffix;

  EventType(Class<? extends SpecificRecord> type, String topicSuffix) {
    this.type = type;
    this.topicSuffix = topicSuffix;
  }

  public Class<? extends SpecificRecord> type() {
    return type;
  }

  public Schema schema() {
    return SpecificData.get().getSchema(type);
  }

  /** The topic's name after the prefix, e.g. {@code requests} for {@code llm.requests}. */
  public String topicSuffix() {
    return topicSuffix;
  }

  /** The event type a topic carries, judged by its name's ending ({@code llm.cache}: responses). */
  public static Optional<EventType> ofTopic(String topic) {
    if (topic.endsWith("cache")) {
      return Optional.of(RESPONSE);
    }
    for (EventType t : values()) {
      if (topic.endsWith(t.topicSuffix)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /**
   * Parses a name like {@code request}, {@code Response}, {@code trace-span}, {@code TraceSpan}.
   */
  public static EventType parse(String name) {
    String n = name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    for (EventType t : values()) {
      if (t.name().replace("_", "").toLowerCase(Locale.ROOT).equals(n)
          || t.type.getSimpleName().toLowerCase(Locale.ROOT).equals(n)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown event type '"
            + name
            + "' (one of request, response, trace-span, usage, tool-call, tool-result)");
  }
}
