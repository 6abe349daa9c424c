package io.sluice.frontdoor.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.schema.AvroTrust;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Typed reads of request-body fields: each read of a present field of the wrong type is a {@link
 * WireError} 400 naming the field by its path ({@code messages[2].content}), so a client learns
 * which value to fix. An absent field and a JSON {@code null} both read as absent.
 */
final class Fields {
  static final ObjectMapper MAPPER = new ObjectMapper();

  static {
    // the readers build Sluice's generated records, which Avro instantiates only when trusted
    AvroTrust.install();
  }

  private Fields() {}

  /** The body as a JSON object. */
  static ObjectNode object(byte[] body) throws WireError {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException e) {
      throw WireError.invalid(null, "the body is not valid JSON: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw WireError.invalid(null, "the body must be a JSON object");
    }
    return (ObjectNode) root;
  }

  static boolean present(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  static String string(JsonNode node, String field, String path) throws WireError {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw WireError.invalid(path, path + " must be a string");
    }
    return v.asText();
  }

  static String requiredString(JsonNode node, String field, String path) throws WireError {
    String s = string(node, field, path);
    if (s == null) {
      throw WireError.invalid(path, path + " is required");
    }
    return s;
  }

  static Double number(JsonNode node, String field, String path) throws WireError {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw WireError.invalid(path, path + " must be a number");
    }
    return v.asDouble();
  }

  static Long integer(JsonNode node, String field, String path) throws WireError {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw WireError.invalid(path, path + " must be an integer");
    }
    return v.asLong();
  }

  /** An integer that fits in an int and is positive. */
  static Integer positiveInt(JsonNode node, String field, String path) throws WireError {
    Long v = integer(node, field, path);
    if (v == null) {
      return null;
    }
    if (v <= 0 || v > Integer.MAX_VALUE) {
      throw WireError.invalid(path, path + " must be a positive integer, not " + v);
    }
    return v.intValue();
  }

  static boolean bool(JsonNode node, String field, String path) throws WireError {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw WireError.invalid(path, path + " must be a boolean");
    }
    return v.asBoolean();
  }

  /** The array at {@code field}, or null when absent. */
  static JsonNode array(JsonNode node, String field, String path) throws WireError {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw WireError.invalid(path, path + " must be an array");
    }
    return v;
  }

  static JsonNode requiredArray(JsonNode node, String field, String path) throws WireError {
    JsonNode v = array(node, field, path);
    if (v == null) {
      throw WireError.invalid(path, path + " is required");
    }
    return v;
  }

  /** The object at {@code field}, or null when absent. */
  static JsonNode object(JsonNode node, String field, String path) throws WireError {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw WireError.invalid(path, path + " must be an object");
    }
    return v;
  }

  /** {@code element} of an array, checked to be an object. */
  static JsonNode element(JsonNode element, String path) throws WireError {
    if (!element.isObject()) {
      throw WireError.invalid(path, path + " must be an object");
    }
    return element;
  }

  /** An object of string values (OpenAI's {@code metadata}). */
  static Map<String, String> stringMap(JsonNode node, String field, String path) throws WireError {
    JsonNode v = object(node, field, path);
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null) {
      return out;
    }
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      if (!e.getValue().isTextual()) {
        throw WireError.invalid(
            path + "." + e.getKey(), path + "." + e.getKey() + " must be a string");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /** {@code node} as compact JSON text. */
  static String text(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed tree always serializes", e);
    }
  }

  /** {@code json} parsed, or null when it is not JSON. */
  static JsonNode parseOrNull(String json) {
    if (json == null) {
      return null;
    }
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      return null;
    }
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a built tree always serializes", e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
