package io.sluice.tools.worker;

/**
 * Thrown by a handler for a message it can never process: instead of an error reply, the message is
 * rejected and redelivered until the queue's delivery limit dead-letters it.
 */
public class PoisonMessageException extends RuntimeException {
  public PoisonMessageException(String message) {
    super(message);
  }
}
