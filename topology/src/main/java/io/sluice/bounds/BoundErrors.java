package io.sluice.bounds;

import io.sluice.events.ErrorInfo;

/** The errors a request ends with when something it produced is over its size bound. */
public final class BoundErrors {
  private BoundErrors() {}

  /** The provider's answer does not fit in a record: usage and cost are still recorded. */
  public static ErrorInfo responseTooLarge(long size, long bound) {
    return new ErrorInfo(
        "response_too_large",
        "the provider's answer is "
            + size
            + " bytes as a record, over the limit of "
            + bound
            + " bytes (kafka.max_record_bytes); its usage and cost are recorded",
        false,
        null,
        null);
  }
}
