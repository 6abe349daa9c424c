package io.sluice.config;

/** The config is wrong; the message names the file, the key and, where known, the line. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
