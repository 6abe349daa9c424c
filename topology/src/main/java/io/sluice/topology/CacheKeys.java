package io.sluice.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.ToolInvocation;
import io.sluice.events.ToolSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * The response cache's key: SHA-256 of the canonical request, i.e. the scope (the tenant, or
 * everyone), the model as requested, the whole conversation as sent to the provider, the parameters
 * that change the answer, and the tool definitions. Request ids, sessions, priority, deadlines and
 * metadata do not count.
 */
final class CacheKeys {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CacheKeys() {}

  /** A request may be answered from the cache by default when its sampling is deterministic. */
  static boolean deterministic(Request r) {
    RequestParams p = r.getParams();
    return p != null && p.getTemperature() != null && p.getTemperature() == 0.0;
  }

  static String of(Request r, List<ChatMessage> messages, boolean perTenant) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put(
        "scope",
        perTenant ? "tenant:" + (r.getTenantId() == null ? "" : r.getTenantId()) : "global");
    root.put("model", r.getModel());
    ArrayNode ms = root.putArray("messages");
    for (ChatMessage m : messages) {
      ArrayNode a =
          ms.addArray()
              .add(m.getRole())
              .add(m.getContent())
              .add(m.getToolCallId())
              .add(m.getName());
      ArrayNode calls = a.addArray();
      for (ToolInvocation t : m.getToolCalls()) {
        calls.addArray().add(t.getId()).add(t.getName()).add(t.getArgumentsJson());
      }
    }
    RequestParams p = r.getParams();
    if (p != null) {
      ObjectNode params = root.putObject("params");
      params.put("temperature", p.getTemperature());
      params.put("max_tokens", p.getMaxTokens());
      params.put("top_p", p.getTopP());
      params.put("seed", p.getSeed());
      ArrayNode stop = params.putArray("stop");
      p.getStop().forEach(stop::add);
      params.set("extra", MAPPER.valueToTree(new TreeMap<>(p.getExtra())));
    }
    ArrayNode tools = root.putArray("tools");
    for (ToolSpec t : r.getTools()) {
      tools.addArray().add(t.getName()).add(t.getDescription()).add(t.getParametersJson());
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(root.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
