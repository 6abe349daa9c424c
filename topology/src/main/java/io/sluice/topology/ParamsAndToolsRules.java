package io.sluice.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.events.RequestParams;
import io.sluice.events.ToolSpec;
import java.util.List;
import java.util.Optional;

/**
 * The rules on a request's sampling parameters and tools that providers enforce (an OpenAI or
 * Anthropic endpoint answers 400 to any of them): each failure is a message naming the field.
 */
final class ParamsAndToolsRules {
  /** Trailing tokens fail: {@code {} x} is not a JSON object. */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ParamsAndToolsRules() {}

  /** The first rule {@code p} (null: the provider's defaults) breaks. */
  static Optional<String> params(RequestParams p) {
    if (p == null) {
      return Optional.empty();
    }
    Double temperature = p.getTemperature();
    // written so that NaN fails too
    if (temperature != null && !(temperature >= 0 && temperature <= 2)) {
      return Optional.of("params.temperature " + temperature + " is not between 0 and 2");
    }
    Double topP = p.getTopP();
    if (topP != null && !(topP >= 0 && topP <= 1)) {
      return Optional.of("params.top_p " + topP + " is not between 0 and 1");
    }
    if (p.getMaxTokens() != null && p.getMaxTokens() <= 0) {
      return Optional.of("params.max_tokens " + p.getMaxTokens() + " must be positive");
    }
    return Optional.empty();
  }

  /** The first rule {@code tools} breaks. */
  static Optional<String> tools(List<ToolSpec> tools) {
    if (tools.size() > RequestLimits.MAX_TOOLS) {
      return Optional.of(
          "tools has " + tools.size() + " entries, more than " + RequestLimits.MAX_TOOLS);
    }
    for (int i = 0; i < tools.size(); i++) {
      ToolSpec t = tools.get(i);
      if (t.getName().isBlank()) {
        return Optional.of("tools[" + i + "].name must not be empty");
      }
      if (t.getName().length() > RequestLimits.MAX_TOOL_NAME_LENGTH) {
        return Optional.of(
            "tools["
                + i
                + "].name is "
                + t.getName().length()
                + " characters, more than "
                + RequestLimits.MAX_TOOL_NAME_LENGTH);
      }
      String notObject = notAnObject(t.getParametersJson());
      if (notObject != null) {
        return Optional.of("tools[" + i + "].parameters_json " + notObject);
      }
    }
    return Optional.empty();
  }

  /** Why {@code json} is not a JSON object text, or null when it is one. */
  private static String notAnObject(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      // Jackson's own limits (nesting depth, number and string lengths) end here too
      return "is not valid JSON: " + firstLine(e.getOriginalMessage());
    }
    if (node == null || node.isMissingNode()) {
      return "is empty, not a JSON object";
    }
    return node.isObject()
        ? null
        : "is a JSON " + node.getNodeType().name().toLowerCase() + ", not an object";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return RequestValidator.clip(line);
  }
}
