package io.sluice.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads {@link SluiceConfig} from YAML: environment substitution, snake_case keys, and errors that
 * name the key and its line.
 */
final class ConfigYaml {
  private ConfigYaml() {}

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /** Reads and validates a config file, substituting environment variables. */
  static SluiceConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    return parse(text, file.toString(), System.getenv());
  }

  /** Parses and validates config text; {@code source} names it in errors. */
  static SluiceConfig parse(String text, String source, Map<String, String> env) {
    return parseSubstituted(EnvSubstitution.apply(text, env, source), source, true);
  }

  /**
   * Parses and validates config text whose environment references are already replaced; {@code
   * lines}: whether the validator's errors name lines (not for text Sluice wrote itself).
   */
  static SluiceConfig parseSubstituted(String substituted, String source, boolean lines) {
    if (substituted.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
      SluiceConfig empty = SluiceConfig.defaults();
      ConfigValidator.validate(empty, source);
      return empty;
    }
    SluiceConfig config;
    try {
      config = YAML.readValue(substituted, SluiceConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          source
              + lineOfKey(substituted, e)
              + ": unknown key '"
              + path(e)
              + "' (known here: "
              + e.getKnownPropertyIds().stream()
                  .map(Object::toString)
                  .sorted()
                  .collect(Collectors.joining(", "))
              + ")");
    } catch (JsonMappingException e) {
      throw new ConfigException(
          source + lineOf(e.getLocation()) + ": " + path(e) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          source + lineOf(e.getLocation()) + ": not valid YAML: " + e.getOriginalMessage());
    }
    if (config == null) {
      config = SluiceConfig.defaults();
    }
    try {
      ConfigValidator.validate(config, source);
    } catch (ConfigException e) {
      if (!lines) {
        throw e;
      }
      throw new ConfigException(KeyLines.of(substituted).withLine(e.getMessage(), source), e);
    }
    return config;
  }

  /**
   * Jackson reports an unknown key of a record at the end of its object, so find the key's own line
   * by walking the path through the text.
   */
  private static String lineOfKey(String text, JsonMappingException e) {
    String[] lines = text.split("\n", -1);
    int from = 0;
    int found = -1;
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() == null) {
        continue;
      }
      java.util.regex.Pattern key =
          java.util.regex.Pattern.compile(
              "(^|[\\s{,-])[\"']?"
                  + java.util.regex.Pattern.quote(ref.getFieldName())
                  + "[\"']?\\s*:");
      found = -1;
      for (int i = from; i < lines.length; i++) {
        if (key.matcher(lines[i]).find()) {
          found = i;
          break;
        }
      }
      if (found < 0) {
        return lineOf(e.getLocation());
      }
      from = found;
    }
    return found < 0 ? lineOf(e.getLocation()) : " line " + (found + 1);
  }

  private static String lineOf(JsonLocation location) {
    return location == null || location.getLineNr() < 0 ? "" : " line " + location.getLineNr();
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }
}
