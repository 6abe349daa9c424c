/**
 * Provider calls, off the stream thread. The session processor submits a {@link
 * io.sluice.dispatch.DispatchJob} to a {@link io.sluice.dispatch.Dispatcher}; {@link
 * io.sluice.dispatch.HttpDispatcher} walks the alias, its retries and fallbacks, within each
 * provider's concurrency limit, and every accepted job ends in exactly one {@code Completion},
 * published through a {@link io.sluice.dispatch.CompletionSink} (in production {@link
 * io.sluice.dispatch.KafkaCompletionSink}, bounded in size first) back to the dispatching task's
 * partition.
 */
package io.sluice.dispatch;
