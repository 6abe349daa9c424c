/**
 * The plain JSON form of Sluice's events ({@link io.sluice.schema.json.AvroJson}), the one the
 * command line reads and prints: Avro field names, optional fields may be left out, enums as
 * strings, no union wrappers. Parsing errors name the path of the offending field.
 */
package io.sluice.schema.json;
