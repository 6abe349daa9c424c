/**
 * Avro binary in the Confluent framing (magic byte, schema id, body) as a Kafka {@code Serde}
 * ({@link io.sluice.schema.serde.ConfluentAvroSerde}), and the size of a record as that serde
 * writes it, for checking a bound before writing ({@link io.sluice.schema.serde.AvroSize}).
 */
package io.sluice.schema.serde;
