package io.sluice.liveconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sections of a config file that live configuration carries ({@code providers}, {@code models},
 * {@code routing}, {@code tenants}, {@code cache}, {@code guardrails}); every other section (Kafka,
 * topics, ports, sessions, ...) stays as the instance's own file has it.
 */
public final class LiveSections {
  /** The sections a version carries, in the order they are shown. */
  public static final List<String> NAMES =
      List.of("providers", "models", "routing", "tenants", "cache", "guardrails");

  /** Keys whose values are secrets: shown masked, unless they are a {@code ${VAR}} reference. */
  private static final Set<String> SECRET_KEYS =
      Set.of("api_key", "api_keys", "headers", "bearer_token", "basic_auth_user_info");

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private LiveSections() {}

  /** The live sections present in a raw config tree (a section left out is not carried). */
  public static ObjectNode of(ObjectNode raw) {
    ObjectNode out = CANONICAL.createObjectNode();
    for (String name : NAMES) {
      if (raw.has(name) && !raw.get(name).isNull()) {
        out.set(name, raw.get(name).deepCopy());
      }
    }
    return out;
  }

  /** SHA-256 hex of the sections in a canonical form (keys sorted), to compare versions. */
  public static String digest(ObjectNode sections) {
    try {
      Object canonical = CANONICAL.treeToValue(sections, Object.class);
      byte[] bytes = CANONICAL.writeValueAsBytes(canonical);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /** A copy with every secret value replaced by {@code ****} (a {@code ${VAR}} reference stays). */
  public static JsonNode masked(JsonNode tree) {
    JsonNode copy = tree.deepCopy();
    mask(copy);
    return copy;
  }

  private static void mask(JsonNode node) {
    if (node.isObject()) {
      ObjectNode o = (ObjectNode) node;
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        if (SECRET_KEYS.contains(e.getKey())) {
          e.setValue(secret(e.getValue()));
        } else {
          mask(e.getValue());
        }
      }
    } else if (node.isArray()) {
      node.forEach(LiveSections::mask);
    }
  }

  private static JsonNode secret(JsonNode value) {
    if (value.isTextual()) {
      String t = value.textValue();
      return t.matches("\\$\\{[A-Za-z_][A-Za-z0-9_]*}") ? value : TextNode.valueOf("****");
    }
    JsonNode copy = value.deepCopy();
    if (copy.isObject()) {
      ObjectNode o = (ObjectNode) copy;
      o.fieldNames().forEachRemaining(k -> o.set(k, secret(o.get(k))));
    } else if (copy.isArray()) {
      for (int i = 0; i < copy.size(); i++) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) copy).set(i, secret(copy.get(i)));
      }
    } else if (!copy.isNull()) {
      return TextNode.valueOf("****");
    }
    return copy;
  }
}
