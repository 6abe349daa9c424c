/**
 * Development and test infrastructure, kept apart from the gateway: the embedded KRaft broker, the
 * LLM simulator and {@link io.sluice.dev.DevStack}, which starts them together for {@code sluice
 * dev}. Nothing in the gateway depends on this package.
 */
package io.sluice.dev;
