/**
 * The HTTP front door: OpenAI- and Anthropic-compatible endpoints that turn each HTTP call into a
 * {@code Request} event on the requests topic and complete it from the instance's own reply
 * partition. A stateless Kafka client, with no Kafka Streams in it.
 */
package io.sluice.frontdoor;
