/**
 * Where schema ids come from: the {@link io.sluice.schema.registry.SchemaRegistry} interface, the
 * zero-setup {@link io.sluice.schema.registry.CatalogSchemaRegistry} (the append-only catalog
 * bundled in this module), a client of any Confluent-compatible registry ({@link
 * io.sluice.schema.registry.HttpSchemaRegistry}) and a loopback server of the REST subset that
 * serdes and Flink use ({@link io.sluice.schema.registry.RegistryHttpServer}).
 */
package io.sluice.schema.registry;
