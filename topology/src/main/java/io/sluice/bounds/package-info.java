/**
 * The size bounds of every record Sluice writes ({@link io.sluice.bounds.RecordLimits}, from {@code
 * kafka.max_record_bytes} and the per-record keys), the Kafka settings that must agree with them
 * ({@link io.sluice.bounds.KafkaLimits}), and the errors a request ends with when something it
 * produced is over its bound.
 */
package io.sluice.bounds;
