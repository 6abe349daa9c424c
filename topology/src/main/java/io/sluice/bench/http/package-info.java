/**
 * {@code sluice bench http}: load on any OpenAI- or Anthropic-compatible HTTP endpoint, to compare
 * Sluice's front door with other gateways on the same machine and the same simulator.
 */
package io.sluice.bench.http;
