/**
 * The client wire formats (OpenAI Chat Completions, Anthropic Messages): parsing request bodies,
 * rendering answers, errors and Server-Sent Event streams. Pure translation, no I/O.
 */
package io.sluice.frontdoor.wire;
