package io.sluice.schema.registry;

import org.apache.avro.Schema;

/** One version of a subject: the registry's answer to a lookup. */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {}
