/**
 * Kafka administration shared by the gateway and the command line: creating Sluice's topics with
 * their configs, idempotently ({@link io.sluice.kafka.TopicSetup}).
 */
package io.sluice.kafka;
