package io.sluice.schema.registry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.avro.Schema;

/**
 * SHA-256 of a schema's full JSON form (docs and defaults included, whitespace normalised), so that
 * any change to a schema, even a doc or a default, yields a new fingerprint.
 */
public final class SchemaFingerprint {
  private SchemaFingerprint() {}

  public static String of(Schema schema) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(sha.digest(schema.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }

  public static String of(String schemaText) {
    return of(new Schema.Parser().parse(schemaText));
  }
}
