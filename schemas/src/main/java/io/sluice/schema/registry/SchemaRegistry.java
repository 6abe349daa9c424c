package io.sluice.schema.registry;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.Schema;

/**
 * The subset of a Confluent-compatible schema registry that Sluice needs.
 *
 * <p>Ids are global: one id names one schema, whatever subjects it is registered under, as in
 * Confluent's registry. Implementations are thread-safe.
 */
public interface SchemaRegistry extends AutoCloseable {

  /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
  int register(String subject, Schema schema);

  /** The id and version of {@code schema} under {@code subject}, if it was registered there. */
  Optional<RegisteredSchema> lookup(String subject, Schema schema);

  /** The schema with this global id; may block on the registry's I/O. */
  Schema byId(int id);

  /**
   * The schema with this global id, without blocking the caller: a completed future when the schema
   * is at hand, otherwise one that the registry's own I/O thread completes, with the schema or with
   * a {@link SchemaRegistryException} ({@link SchemaRegistryException#schemaNotFound()} when the
   * registry has no such id). Stream threads call this, never {@link #byId}, for ids they have not
   * seen. The default runs {@link #byId} on the common pool; a registry that answers from memory or
   * does its own asynchronous I/O overrides it.
   */
  default CompletableFuture<Schema> byIdAsync(int id) {
    return CompletableFuture.supplyAsync(() -> byId(id));
  }

  /** The latest version registered under {@code subject}. */
  Optional<RegisteredSchema> latest(String subject);

  /** Every version registered under {@code subject}, oldest first. */
  List<RegisteredSchema> versions(String subject);

  /** Every subject, sorted. */
  List<String> subjects();

  @Override
  default void close() {}
}
