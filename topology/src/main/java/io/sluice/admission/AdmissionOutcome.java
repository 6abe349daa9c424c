package io.sluice.admission;

import io.sluice.events.Request;
import io.sluice.events.Response;

/** What admission decides for a request; forwarded keyed by session_id, with its headers. */
public sealed interface AdmissionOutcome {
  /** Within every limit: on to the session processor. */
  record Admitted(Request request) implements AdmissionOutcome {}

  /** Over a limit: a REJECTED response ({@code rate_limited} or {@code budget_exceeded}). */
  record Refused(Response response) implements AdmissionOutcome {}
}
