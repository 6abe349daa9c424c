package io.sluice.provider.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.events.ToolInvocation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The tool calls of a streamed answer, built from their pieces. */
final class ToolCallAccumulator {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final class Call {
    String id = "";
    String name = "";
    final StringBuilder arguments = new StringBuilder();
  }

  private final Map<Integer, Call> calls = new TreeMap<>();

  void add(StreamDelta.ToolDelta d) {
    Call c = calls.computeIfAbsent(d.index(), i -> new Call());
    if (d.id() != null && !d.id().isEmpty()) {
      c.id = d.id();
    }
    if (d.name() != null && !d.name().isEmpty()) {
      c.name = d.name();
    }
    c.arguments.append(d.argumentsDelta());
  }

  boolean isEmpty() {
    return calls.isEmpty();
  }

  /**
   * The calls in index order. {@code normalize}: arguments that parse as JSON are written
   * compactly, as Anthropic's non-streamed {@code input} object is; empty arguments are {@code {}}.
   */
  List<ToolInvocation> calls(boolean normalize) {
    List<ToolInvocation> out = new ArrayList<>();
    for (Call c : calls.values()) {
      String args = c.arguments.toString();
      if (normalize) {
        args = args.isBlank() ? "{}" : compact(args);
      }
      out.add(new ToolInvocation(c.id, c.name, args));
    }
    return out;
  }

  private static String compact(String json) {
    try {
      JsonNode node = MAPPER.readTree(json);
      return node == null ? json : node.toString();
    } catch (IOException e) {
      return json;
    }
  }
}
