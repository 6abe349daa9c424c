package io.sluice.semantic;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@link Guards} compare in a prompt, extracted once: its numbers, quoted strings, named
 * entities (capitalized words not opening a sentence, acronyms), whether it is negated, and its
 * targets (the word after "to", "into", "in", "nach", "en", "a" ...: the unit or language asked
 * for). All lower-cased; {@code words} is every word, for matching an entity written in lower case
 * in the other prompt.
 */
public record PromptFeatures(
    Set<String> numbers,
    Set<String> quoted,
    Set<String> entities,
    Set<String> words,
    boolean negated,
    Set<String> targets,
    Set<String> contrasts) {

  private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*");
  private static final Pattern QUOTED =
      Pattern.compile(
          "\"([^\"]{1,200})\"|“([^”]{1,200})”|„([^“”]{1,200})[“”]|«\\s*([^»]{1,200})\\s*»");
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}'’-]*");
  private static final Set<String> NEGATIONS =
      Set.of(
          "not", "no", "never", "without", "none", "nobody", "nothing", "neither", "nor", "cannot",
          "nicht", "kein", "keine", "keinen", "keinem", "keiner", "nie", "niemals", "ohne", "ne",
          "pas", "jamais", "sans", "aucun", "aucune", "rien", "nunca", "sin", "ningún", "ninguna",
          "ninguno", "tampoco", "nada");
  private static final Set<String> TARGET_WORDS =
      Set.of("to", "into", "in", "nach", "ins", "zu", "auf", "en", "vers", "a", "al");

  /** Words whose presence changes the answer: times and days, superlatives, before and after. */
  private static final Set<String> CONTRAST_WORDS =
      Set.of(
          "today",
          "tomorrow",
          "yesterday",
          "tonight",
          "now",
          "last",
          "next",
          "this",
          "morning",
          "afternoon",
          "evening",
          "monday",
          "tuesday",
          "wednesday",
          "thursday",
          "friday",
          "saturday",
          "sunday",
          "before",
          "after",
          "fastest",
          "slowest",
          "largest",
          "smallest",
          "biggest",
          "highest",
          "lowest",
          "best",
          "worst",
          "most",
          "least",
          "first",
          "latest",
          "heute",
          "morgen",
          "gestern",
          "montag",
          "dienstag",
          "mittwoch",
          "donnerstag",
          "freitag",
          "samstag",
          "sonntag",
          "vorher",
          "nachher",
          "aujourd'hui",
          "demain",
          "hier",
          "lundi",
          "mardi",
          "mercredi",
          "jeudi",
          "vendredi",
          "samedi",
          "dimanche",
          "hoy",
          "mañana",
          "ayer",
          "lunes",
          "martes",
          "miércoles",
          "jueves",
          "viernes",
          "sábado",
          "domingo");

  private static final Set<String> SKIP =
      Set.of(
          "the", "a", "an", "my", "our", "your", "der", "die", "das", "den", "dem", "ein", "eine",
          "einen", "le", "la", "les", "l", "un", "une", "el", "los", "las", "una", "uno");

  /** The features of {@code text}. */
  public static PromptFeatures of(String text) {
    String t = Normalizer.normalize(text, Normalizer.Form.NFC);
    Set<String> numbers = new LinkedHashSet<>();
    Matcher n = NUMBER.matcher(t);
    while (n.find()) {
      numbers.add(n.group().replace(',', '.'));
    }
    Set<String> quoted = new LinkedHashSet<>();
    Matcher q = QUOTED.matcher(t);
    while (q.find()) {
      for (int g = 1; g <= q.groupCount(); g++) {
        if (q.group(g) != null) {
          quoted.add(q.group(g).strip().toLowerCase(Locale.ROOT));
        }
      }
    }
    List<String> raw = new ArrayList<>();
    List<Boolean> sentenceStart = new ArrayList<>();
    Matcher w = WORD.matcher(t);
    int last = 0;
    while (w.find()) {
      String between = t.substring(last, w.start());
      boolean start = raw.isEmpty() || between.matches("(?s).*[.!?¿¡:\\n].*");
      raw.add(w.group());
      sentenceStart.add(start);
      last = w.end();
    }
    Set<String> words = new LinkedHashSet<>();
    Set<String> entities = new LinkedHashSet<>();
    Set<String> targets = new LinkedHashSet<>();
    Set<String> contrasts = new LinkedHashSet<>();
    boolean negated = false;
    for (int i = 0; i < raw.size(); i++) {
      String word = raw.get(i);
      String lower = stripPossessive(word.toLowerCase(Locale.ROOT));
      words.add(lower);
      if (CONTRAST_WORDS.contains(lower)) {
        contrasts.add(lower);
      }
      if (Character.isDigit(word.codePointAt(0)) && i + 1 < raw.size()) {
        String unit = raw.get(i + 1).toLowerCase(Locale.ROOT);
        if (!Character.isDigit(unit.codePointAt(0))) {
          numbers.add(word.replace(',', '.') + " " + unit); // a quantity: "5 kg" is not "5 pounds"
        }
      }
      if (NEGATIONS.contains(lower) || lower.endsWith("n't") || lower.endsWith("n’t")) {
        negated = true;
      }
      boolean capital = Character.isUpperCase(word.codePointAt(0));
      boolean acronym = word.length() > 1 && word.equals(word.toUpperCase(Locale.ROOT));
      boolean oneLetter = word.length() == 1; // "I", "a": no entity
      if (!oneLetter
          && ((capital && !sentenceStart.get(i))
              || (acronym && !word.chars().allMatch(Character::isDigit)))) {
        entities.add(lower);
      }
      if (TARGET_WORDS.contains(lower)) {
        for (int j = i + 1; j < raw.size() && j <= i + 3; j++) {
          String next = stripPossessive(raw.get(j).toLowerCase(Locale.ROOT));
          if (!SKIP.contains(next)) {
            targets.add(next);
            break;
          }
        }
      }
    }
    return new PromptFeatures(numbers, quoted, entities, words, negated, targets, contrasts);
  }

  private static String stripPossessive(String w) {
    if (w.endsWith("'s") || w.endsWith("’s")) {
      return w.substring(0, w.length() - 2);
    }
    return w;
  }
}
