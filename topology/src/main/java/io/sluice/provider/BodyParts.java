package io.sluice.provider;

import java.io.IOException;

/**
 * Receives a 2xx answer's body as it arrives, piece by piece, in order, on the transport's I/O
 * thread: it must not block. An exception it throws aborts the call (the connection is closed) and
 * fails the call's future with it.
 */
@FunctionalInterface
public interface BodyParts {
  /** {@code len} bytes of {@code buf} from {@code off}; valid only during the call. */
  void onPart(byte[] buf, int off, int len) throws IOException;
}
