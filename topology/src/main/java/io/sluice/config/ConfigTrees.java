package io.sluice.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A config as a tree of YAML nodes, for live configuration: the raw sections of a file (with its
 * {@code ${VAR}} references left in), a config turned back into a tree, and a tree validated into a
 * {@link SluiceConfig} with the same validator as a file.
 */
public final class ConfigTrees {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private ConfigTrees() {}

  /** The file's text as a tree, before environment substitution (an empty file: no keys). */
  public static ObjectNode raw(Path file) {
    try {
      JsonNode tree = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        return YAML.createObjectNode();
      }
      if (!tree.isObject()) {
        throw new ConfigException(file + ": not a YAML mapping of config sections");
      }
      return (ObjectNode) tree;
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (JsonProcessingException e) {
      throw new ConfigException(file + ": not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code config} as a tree with the file's key names; it reads back to an equal config. */
  public static ObjectNode tree(SluiceConfig config) {
    return YAML.valueToTree(config);
  }

  /**
   * A copy of {@code tree} with {@code ${VAR}} and {@code ${VAR:-default}} replaced in every string
   * value, as in a file; an unset variable without a default is a {@link ConfigException} naming
   * it.
   */
  public static JsonNode substitute(JsonNode tree, Map<String, String> env, String source) {
    return substitute(tree, env, source, "");
  }

  private static JsonNode substitute(
      JsonNode tree, Map<String, String> env, String source, String path) {
    if (tree.isTextual()) {
      try {
        return TextNode.valueOf(EnvSubstitution.apply(tree.textValue(), env, source));
      } catch (ConfigException e) {
        // name the key rather than a line of the one value
        String m = e.getMessage();
        int at = m.indexOf(": environment variable");
        throw new ConfigException(source + ": " + path + (at < 0 ? ": " + m : m.substring(at)), e);
      }
    }
    JsonNode copy = tree.deepCopy();
    if (copy.isObject()) {
      ObjectNode o = (ObjectNode) copy;
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        String key = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        e.setValue(substitute(e.getValue(), env, source, key));
      }
    } else if (copy.isArray()) {
      ArrayNode a = (ArrayNode) copy;
      for (int i = 0; i < a.size(); i++) {
        a.set(i, substitute(a.get(i), env, source, path + "[" + i + "]"));
      }
    }
    return copy;
  }

  /** Reads and validates a config tree (already substituted); errors name {@code source}. */
  public static SluiceConfig validate(ObjectNode tree, String source) {
    try {
      // through text, so that unknown keys and wrong types get the file's own messages
      return ConfigYaml.parseSubstituted(YAML.writeValueAsString(tree), source, false);
    } catch (JsonProcessingException e) {
      throw new ConfigException(source + ": cannot be written as YAML: " + e.getOriginalMessage());
    }
  }
}
