package io.sluice.schema;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro refuses to instantiate classes it does not trust; Sluice's generated event classes are
 * trusted here, in addition to whatever the JVM already trusts.
 */
public final class AvroTrust {
  public static final String EVENTS_PACKAGE = "io.sluice.events";
  public static final String INTERNAL_PACKAGE = "io.sluice.internal";
  private static volatile boolean installed;

  private AvroTrust() {}

  /** Trusts the generated event package; idempotent and cheap after the first call. */
  public static void install() {
    if (installed) {
      return;
    }
    synchronized (AvroTrust.class) {
      if (!installed) {
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(
            ClassSecurityValidator.composite(
                previous,
                c ->
                    EVENTS_PACKAGE.equals(c.getPackageName())
                        || INTERNAL_PACKAGE.equals(c.getPackageName())));
        installed = true;
      }
    }
  }
}
