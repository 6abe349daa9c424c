package io.sluice.schema.json;

/** A JSON document does not fit an Avro schema; the message names the field path and why. */
public class AvroJsonException extends RuntimeException {
  private final String path;

  public AvroJsonException(String path, String reason) {
    super((path.isEmpty() ? "" : path + ": ") + reason);
    this.path = path;
  }

  /** Where in the document the problem is, e.g. {@code messages[0].role}; empty for the root. */
  public String path() {
    return path;
  }
}
