package io.sluice.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line of every key of a YAML text, by its dotted path ({@code
 * models.gpt.deployments[0].weight} ), so that a validation error names the line of the key it
 * names. Read with the YAML parser's token locations; a text that does not parse has no lines.
 */
final class KeyLines {
  private static final YAMLFactory FACTORY = new YAMLFactory();

  /** A key path at the start of a message: {@code a.b[0].c}. */
  private static final Pattern LEADING_KEY =
      Pattern.compile(
          "^([a-z_][A-Za-z0-9_\\-]*(?:\\[\\d+])*(?:\\.[A-Za-z0-9_\\-]+(?:\\[\\d+])*)*)");

  private final Map<String, Integer> lines;

  private KeyLines(Map<String, Integer> lines) {
    this.lines = lines;
  }

  static KeyLines of(String text) {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser p = FACTORY.createParser(text)) {
      Deque<String> path = new ArrayDeque<>();
      Deque<int[]> arrayIndex = new ArrayDeque<>();
      String pendingField = null;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        switch (t) {
          case FIELD_NAME -> {
            pendingField = p.currentName();
            lines.put(join(path, pendingField), p.currentTokenLocation().getLineNr());
          }
          case START_OBJECT, START_ARRAY -> {
            String element = element(path, arrayIndex, pendingField, p, lines);
            path.push(element);
            // -1: an object's values are named by their keys (ArrayDeque holds no nulls)
            arrayIndex.push(new int[] {t == JsonToken.START_ARRAY ? 0 : -1});
            pendingField = null;
          }
          case END_OBJECT, END_ARRAY -> {
            path.pop();
            arrayIndex.pop();
            pendingField = null;
          }
          default -> {
            element(path, arrayIndex, pendingField, p, lines);
            pendingField = null;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // the YAML parse proper reports what is wrong with the text
    }
    return new KeyLines(lines);
  }

  /** The path segment of the value just read: its field name, or its index in an array. */
  private static String element(
      Deque<String> path,
      Deque<int[]> arrayIndex,
      String field,
      JsonParser p,
      Map<String, Integer> lines) {
    if (field != null) {
      return field;
    }
    int[] index = arrayIndex.isEmpty() ? null : arrayIndex.peek();
    if (index == null || index[0] < 0) {
      return "";
    }
    String name = "[" + index[0]++ + "]";
    lines.put(join(path, name), p.currentTokenLocation().getLineNr());
    return name;
  }

  private static String join(Deque<String> path, String last) {
    StringBuilder sb = new StringBuilder();
    var it = path.descendingIterator();
    while (it.hasNext()) {
      append(sb, it.next());
    }
    append(sb, last);
    return sb.toString();
  }

  private static void append(StringBuilder sb, String segment) {
    if (segment.isEmpty()) {
      return;
    }
    if (sb.length() > 0 && !segment.startsWith("[")) {
      sb.append('.');
    }
    sb.append(segment);
  }

  /** The line of {@code key}, or of its closest parent that has one; -1 if none. */
  int line(String key) {
    String k = key;
    while (!k.isEmpty()) {
      Integer line = lines.get(k);
      if (line != null) {
        return line;
      }
      int cut = Math.max(k.lastIndexOf('.'), k.lastIndexOf('['));
      k = cut < 0 ? "" : k.substring(0, cut);
    }
    return -1;
  }

  /**
   * {@code source: key ...} as {@code source line N: key ...} when the message starts with a key
   * this text has; otherwise the message as it is.
   */
  String withLine(String message, String source) {
    String prefix = source + ": ";
    if (!message.startsWith(prefix)) {
      return message;
    }
    String rest = message.substring(prefix.length());
    Matcher m = LEADING_KEY.matcher(rest);
    if (!m.find()) {
      return message;
    }
    int line = line(m.group(1));
    return line < 0 ? message : source + " line " + line + ": " + rest;
  }
}
