/**
 * Sluice's public events, generated from {@code src/main/avro/*.avsc} at build time: {@code
 * Request}, {@code Response}, {@code TraceSpan}, {@code Usage}, {@code ToolCall}, {@code
 * ToolResult} and the records they hold. Their fields are fixed by the contract and documented in
 * each schema's {@code doc}; on the wire they are Avro in the Confluent framing ({@link
 * io.sluice.schema.serde.ConfluentAvroSerde}).
 */
package io.sluice.events;
