package io.sluice.semantic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The JSON value of a record on the semantic topic (keyed by the exact cache key): {@code scope},
 * {@code request_id}, {@code at_ms}, {@code text} (the last user turn, at most {@link
 * MiniLmEmbedder#MAX_CHARS} characters) and {@code vector} (base64 of little-endian float32). At
 * most about 10 KB.
 */
public final class IndexRecords {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private IndexRecords() {}

  public static String toJson(SemanticQuery q, float[] vector, long atMs) {
    String text = q.text();
    if (text.length() > MiniLmEmbedder.MAX_CHARS) {
      text = text.substring(0, MiniLmEmbedder.MAX_CHARS);
    }
    ObjectNode n = MAPPER.createObjectNode();
    n.put("scope", q.scope());
    n.put("request_id", q.requestId());
    n.put("at_ms", atMs);
    n.put("text", text);
    n.put("vector", Vectors.toBase64(vector));
    return n.toString();
  }

  /** The entry of a record, or null when the value cannot be read. */
  public static SemanticIndex.Entry entry(String cacheKey, String json) {
    try {
      JsonNode n = MAPPER.readTree(json);
      return new SemanticIndex.Entry(
          cacheKey,
          n.path("scope").asText(),
          n.path("request_id").asText(null),
          Vectors.fromBase64(n.path("vector").asText()),
          PromptFeatures.of(n.path("text").asText()),
          n.path("at_ms").asLong());
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }
}
