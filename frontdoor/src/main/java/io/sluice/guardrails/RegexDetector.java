package io.sluice.guardrails;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A custom entity of the config ({@code guardrails.pii.custom}): every non-empty match of its
 * pattern. Its cost is its author's: a pattern that backtracks costs as much on every request.
 * Canonical form: the matched text.
 */
final class RegexDetector implements PiiDetector {
  private final String entity;
  private final Pattern pattern;

  RegexDetector(String entity, Pattern pattern) {
    this.entity = entity;
    this.pattern = pattern;
  }

  @Override
  public String entity() {
    return entity;
  }

  @Override
  public void find(String text, List<PiiMatch> out) {
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      if (m.end() > m.start()) {
        out.add(new PiiMatch(entity, m.start(), m.end(), m.group()));
      }
    }
  }
}
