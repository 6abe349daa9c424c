package io.sluice.topology;

import io.sluice.events.Request;
import io.sluice.events.Response;

/** What ingest makes of one record of the requests topic. */
sealed interface IngestOutcome {
  /** A valid request; {@code direct} when it is already keyed by its session. */
  record Accepted(Request request, boolean direct) implements IngestOutcome {}

  /** A record that could not be read: its original bytes, bound for the dead-letter topic. */
  record DeadLetter(byte[] key, byte[] value) implements IngestOutcome {}

  /**
   * A readable request refused with a REJECTED response; {@code reply} is the reply address its
   * record named (the response goes there too), or null.
   */
  record Rejected(Response response, ReplyAddress reply) implements IngestOutcome {}
}
