/**
 * Sluice's public event formats: the generated Avro classes ({@code io.sluice.events}), their
 * Confluent-framed serde ({@link io.sluice.schema.serde}), the schema registry clients and the
 * bundled catalog ({@link io.sluice.schema.registry}) and the plain JSON form ({@link
 * io.sluice.schema.json}).
 */
package io.sluice.schema;
