package io.sluice.schema.registry;

/** A registry refused a request or could not be reached. */
public class SchemaRegistryException extends RuntimeException {
  private final int errorCode;

  public SchemaRegistryException(String message, int errorCode) {
    super(message);
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(String message, Throwable cause) {
    super(message, cause);
    this.errorCode = -1;
  }

  /** Confluent's error code (40401 subject not found, 40403 schema not found, ...), or -1. */
  public int errorCode() {
    return errorCode;
  }

  /**
   * The registry answered that it has no such schema id (Confluent's 40403): asking again will not
   * help, unlike a registry that could not be reached or failed (5xx, -1), which may answer later.
   */
  public boolean schemaNotFound() {
    return errorCode == 40403;
  }
}
