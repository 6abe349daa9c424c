package io.sluice.guardrails;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One tenant's PII settings, resolved ({@code guardrails.pii} overridden key by key by {@code
 * tenants.<id>.guardrails.pii}).
 *
 * @param mode off, mask or block
 * @param entities the built-in entity types to look for, in any order; null for all of them
 * @param custom custom entity types, name to regular expression, looked for after the built-ins
 * @param restore whether the front door puts the originals back into the answer
 * @param phoneRegion the region of phone numbers written without a country code (ISO 3166
 *     two-letter code; {@code ZZ}: only numbers with {@code +} are found)
 * @param key the placeholders' HMAC key
 */
public record PiiPolicy(
    PiiMode mode,
    List<String> entities,
    Map<String, String> custom,
    boolean restore,
    String phoneRegion,
    String key) {

  /** The built-in types, in the order overlaps are decided: the first listed wins. */
  public static final List<String> BUILT_IN =
      List.of(
          EmailDetector.ENTITY,
          CnResidentIdDetector.ENTITY,
          CreditCardDetector.ENTITY,
          IbanDetector.ENTITY,
          IpAddressDetector.ENTITY,
          PhoneDetector.ENTITY);

  public static final String DEFAULT_PHONE_REGION = "US";

  /** The key used when none is configured: placeholders are then guessable from values. */
  public static final String DEFAULT_KEY = "sluice-pii-default-key";

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");

  public PiiPolicy {
    mode = mode != null ? mode : PiiMode.OFF;
    entities = entities != null ? List.copyOf(entities) : null;
    custom = custom != null ? new LinkedHashMap<>(custom) : Map.of();
    phoneRegion = phoneRegion != null ? phoneRegion : DEFAULT_PHONE_REGION;
    key = key != null && !key.isEmpty() ? key : DEFAULT_KEY;
  }

  @Override
  public String toString() {
    return "PiiPolicy[mode="
        + mode
        + ", entities="
        + entities
        + ", custom="
        + custom.keySet()
        + ", restore="
        + restore
        + ", phoneRegion="
        + phoneRegion
        + ", key=<redacted>]";
  }

  public static PiiPolicy off() {
    return new PiiPolicy(PiiMode.OFF, null, null, false, null, null);
  }

  /**
   * The first problem of these settings, naming the key under {@code guardrails.pii} it is about
   * ({@code entities[2]: unknown ...}, {@code custom.ticket: not a valid regex ...}), or empty.
   */
  public Optional<String> problem() {
    for (Map.Entry<String, String> c : custom.entrySet()) {
      String name = c.getKey();
      if (!NAME.matcher(name).matches()) {
        return Optional.of(
            "custom."
                + name
                + ": a custom entity's name must be lower case letters, digits and _"
                + " (at most 40, starting with a letter)");
      }
      if (BUILT_IN.contains(name)) {
        return Optional.of("custom." + name + ": '" + name + "' is a built-in entity type");
      }
      if (c.getValue() == null || c.getValue().isEmpty()) {
        return Optional.of("custom." + name + ": the regex must not be empty");
      }
      try {
        Pattern p = Pattern.compile(c.getValue());
        if (p.matcher("").matches()) {
          return Optional.of("custom." + name + ": the regex must not match the empty string");
        }
      } catch (PatternSyntaxException e) {
        return Optional.of(
            "custom."
                + name
                + ": not a valid regex: "
                + e.getDescription()
                + " near index "
                + e.getIndex());
      }
    }
    if (entities != null) {
      for (int i = 0; i < entities.size(); i++) {
        String e = entities.get(i);
        if (!BUILT_IN.contains(e) && !custom.containsKey(e)) {
          return Optional.of(
              "entities["
                  + i
                  + "]: unknown entity type '"
                  + e
                  + "' (built in: "
                  + String.join(", ", BUILT_IN)
                  + "; or a name under custom)");
        }
      }
    }
    if (!PhoneDetector.knownRegion(phoneRegion)) {
      return Optional.of(
          "phone_region: '"
              + phoneRegion
              + "' is not a region libphonenumber knows (e.g. US, DE, CN, ZZ)");
    }
    return Optional.empty();
  }

  /**
   * The detectors of these settings, in the order overlaps are decided: the built-ins asked for,
   * then every custom type (a custom type is always looked for; listing it in entities is allowed).
   */
  List<PiiDetector> detectors() {
    List<PiiDetector> out = new ArrayList<>();
    for (String e : BUILT_IN) {
      if (entities == null || entities.contains(e)) {
        out.add(builtIn(e));
      }
    }
    custom.forEach((name, regex) -> out.add(new RegexDetector(name, Pattern.compile(regex))));
    return out;
  }

  private PiiDetector builtIn(String entity) {
    switch (entity) {
      case EmailDetector.ENTITY:
        return new EmailDetector();
      case CnResidentIdDetector.ENTITY:
        return new CnResidentIdDetector();
      case CreditCardDetector.ENTITY:
        return new CreditCardDetector();
      case IbanDetector.ENTITY:
        return new IbanDetector();
      case IpAddressDetector.ENTITY:
        return new IpAddressDetector();
      case PhoneDetector.ENTITY:
        return new PhoneDetector(phoneRegion);
      default:
        throw new IllegalArgumentException("unknown entity type " + entity);
    }
  }

  /** The guard of these settings; they must have no {@link #problem}. */
  public PiiGuard compile() {
    problem()
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
    return new PiiGuard(this, new PiiScanner(detectors()), new Placeholders(key));
  }
}
