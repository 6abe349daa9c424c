package io.sluice.semantic;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Checks that must pass, beyond the similarity, before one prompt is answered with another's
 * answer. A small embedding model scores "capital of France" and "capital of Germany" close; these
 * catch what the labelled set showed it misses. Each guard can be measured on its own ({@code
 * sluice eval semantic}).
 */
public final class Guards {
  /** One check on the two prompts' {@link PromptFeatures}. */
  public enum Guard {
    /** The same numbers. */
    NUMBERS,
    /** The same quoted strings. */
    QUOTED,
    /** Every named entity of one prompt appears (in any case) in the other. */
    ENTITIES,
    /** Both negated or neither. */
    NEGATION,
    /** The same targets ("to miles", "into French"), when both prompts name one. */
    TARGETS,
    /** The same time words, days, superlatives and before/after ("today" is not "tomorrow"). */
    CONTRASTS;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Set<Guard> enabled;

  public Guards(Set<Guard> enabled) {
    this.enabled = enabled.isEmpty() ? EnumSet.noneOf(Guard.class) : EnumSet.copyOf(enabled);
  }

  public static Guards all() {
    return new Guards(EnumSet.allOf(Guard.class));
  }

  public static Guards none() {
    return new Guards(EnumSet.noneOf(Guard.class));
  }

  public Set<Guard> enabled() {
    return enabled;
  }

  /** Whether every enabled guard passes. */
  public boolean agree(PromptFeatures a, PromptFeatures b) {
    for (Guard g : enabled) {
      if (!passes(g, a, b)) {
        return false;
      }
    }
    return true;
  }

  /** A word of {@code a} that is a word of {@code b} with a negating prefix: "unsafe", "safe". */
  private static boolean prefixAntonym(PromptFeatures a, PromptFeatures b) {
    for (String w : a.words()) {
      for (String prefix : new String[] {"un", "in", "im", "dis", "non"}) {
        if (w.length() > prefix.length() + 2
            && w.startsWith(prefix)
            && !b.words().contains(w)
            && b.words().contains(w.substring(prefix.length()))) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether {@code g} passes on {@code a} and {@code b}. */
  public static boolean passes(Guard g, PromptFeatures a, PromptFeatures b) {
    switch (g) {
      case NUMBERS:
        return a.numbers().equals(b.numbers());
      case QUOTED:
        return a.quoted().equals(b.quoted());
      case ENTITIES:
        return b.words().containsAll(a.entities()) && a.words().containsAll(b.entities());
      case NEGATION:
        return a.negated() == b.negated() && !prefixAntonym(a, b) && !prefixAntonym(b, a);
      case TARGETS:
        return a.targets().isEmpty() || b.targets().isEmpty() || a.targets().equals(b.targets());
      case CONTRASTS:
        return a.contrasts().equals(b.contrasts());
      default:
        throw new IllegalArgumentException(g.name());
    }
  }
}
