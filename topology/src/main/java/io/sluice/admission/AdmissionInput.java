package io.sluice.admission;

import io.sluice.events.Request;
import io.sluice.events.Usage;

/** The admission processor's inputs, all keyed by tenant_id and co-partitioned. */
public sealed interface AdmissionInput {
  /** A request that passed ingest, repartitioned by tenant. */
  record RequestIn(Request request) implements AdmissionInput {}

  /** A record of the usage topic: the actual tokens and cost of one provider call. */
  record UsageIn(Usage usage) implements AdmissionInput {}

  /** The session processor answered the request: its parallel slot is free. */
  record ReleaseIn(String requestId) implements AdmissionInput {}
}
