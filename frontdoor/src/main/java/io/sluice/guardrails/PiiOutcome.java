package io.sluice.guardrails;

import io.sluice.events.Request;
import java.util.Map;

/**
 * What a guard made of one request.
 *
 * @param request the request to send on: the original when nothing was found or the mode is off,
 *     else the masked copy (for {@code block}, the original: it must not be sent)
 * @param redaction the request's masking, for restoring the answer; null when the mode is off
 * @param blocked true when the request must be refused with {@code pii_detected}
 */
public record PiiOutcome(Request request, Redaction redaction, boolean blocked) {
  /** The code of a refused request's error. */
  public static final String CODE = "pii_detected";

  /** Values found, by entity type (empty when none or off). */
  public Map<String, Integer> counts() {
    return redaction == null ? Map.of() : redaction.counts();
  }

  /** A refusal's message: the entity types found, never a value. */
  public String message() {
    return "the request contains personal data ("
        + String.join(", ", counts().keySet())
        + ") and guardrails.pii.mode is block";
  }
}
