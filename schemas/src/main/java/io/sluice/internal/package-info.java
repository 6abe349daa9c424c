/**
 * The gateway's own records, generated from {@code src/main/avro/internal}: {@code Completion} (the
 * completions topic, from the dispatcher back to the session processor), {@code PendingRequest} and
 * {@code SessionState} (its stores). Not part of the contract: they change with the gateway,
 * compatibly, as the catalog's entries show.
 */
package io.sluice.internal;
