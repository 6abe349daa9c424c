package io.sluice.config;

import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in config text. An unset variable without a
 * default is an error naming the variable and the line, never a silent empty string ({@code
 * ${VAR:-}} asks for the empty string explicitly).
 */
final class EnvSubstitution {
  private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

  private EnvSubstitution() {}

  static String apply(String text, Function<String, String> env, String source) {
    StringBuilder out = new StringBuilder();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int hash = commentStart(line);
      String content = hash < 0 ? line : line.substring(0, hash);
      Matcher m = REF.matcher(content);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String value = env.apply(m.group(1));
        if (value == null || (value.isEmpty() && m.group(2) != null)) {
          if (m.group(2) == null) {
            throw new ConfigException(
                source
                    + " line "
                    + (i + 1)
                    + ": environment variable "
                    + m.group(1)
                    + " is not set (use ${"
                    + m.group(1)
                    + ":-default} for a default)");
          }
          value = m.group(3);
        }
        m.appendReplacement(sb, Matcher.quoteReplacement(value));
      }
      m.appendTail(sb);
      out.append(sb);
      if (hash >= 0) {
        out.append(line, hash, line.length());
      }
      if (i < lines.length - 1) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  static String apply(String text, Map<String, String> env, String source) {
    return apply(text, env::get, source);
  }

  /** Where a YAML comment starts on this line (a # at the start or after a space), or -1. */
  private static int commentStart(String line) {
    boolean single = false;
    boolean dbl = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'' && !dbl) {
        single = !single;
      } else if (c == '"' && !single) {
        dbl = !dbl;
      } else if (c == '#'
          && !single
          && !dbl
          && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return i;
      }
    }
    return -1;
  }
}
