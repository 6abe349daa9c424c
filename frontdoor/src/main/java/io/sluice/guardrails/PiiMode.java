package io.sluice.guardrails;

import java.util.Locale;

/** What a guard does with personal data it finds ({@code guardrails.pii.mode}). */
public enum PiiMode {
  /** Nothing is looked for. */
  OFF,
  /** Each value is replaced by its typed placeholder before the request goes on. */
  MASK,
  /** A request with any is refused ({@code REJECTED}, code {@code pii_detected}). */
  BLOCK;

  /** The mode named {@code name} in config ({@code off}, {@code mask}, {@code block}), or null. */
  public static PiiMode parse(String name) {
    if (name == null) {
      return null;
    }
    for (PiiMode m : values()) {
      if (m.name().toLowerCase(Locale.ROOT).equals(name)) {
        return m;
      }
    }
    return null;
  }
}
