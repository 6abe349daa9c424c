/**
 * Single-flight: identical cacheable requests in flight at the same time in one instance share one
 * provider call. {@link io.sluice.singleflight.SingleFlight} sits in front of the instance's
 * dispatcher; each follower still gets a completion of its own (its request id, its dispatch),
 * marked with the header {@link io.sluice.dispatch.CompletionSink#SHARED_CALL_OF}, and is answered
 * by its own session task as if it had made the call.
 */
package io.sluice.singleflight;
