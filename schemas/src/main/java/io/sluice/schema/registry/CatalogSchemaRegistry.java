package io.sluice.schema.registry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.Schema;

/**
 * The zero-setup registry: schema ids come from the append-only catalog bundled in this module
 * ({@value #CATALOG}), so every Sluice process agrees on ids with no server running.
 *
 * <p>A schema that is not in the catalog (registered by Flink or another tool through the REST API)
 * gets an id from {@value #DYNAMIC_ID_BASE} up, far above the catalog's, and is kept in {@code
 * registrations.tsv} of the data directory when one is given, in memory otherwise.
 */
public final class CatalogSchemaRegistry implements SchemaRegistry {
  public static final String CATALOG = "/io/sluice/schema/catalog/catalog.tsv";
  public static final int DYNAMIC_ID_BASE = 100_000;
  private static final String REGISTRATIONS = "registrations.tsv";

  /** One catalog line: subject, version, id, file and the schema's fingerprint. */
  public record Entry(String subject, int version, int id, String file, String sha256) {}

  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, Integer> idsByFingerprint = new HashMap<>();
  private final Map<String, List<RegisteredSchema>> subjects = new TreeMap<>();
  private final Path registrations;
  private int nextDynamicId = DYNAMIC_ID_BASE;

  private CatalogSchemaRegistry(Path dataDir) {
    for (Entry e : readCatalog()) {
      Schema schema = loadCatalogSchema(e);
      add(e.subject(), e.id(), schema);
    }
    this.registrations = dataDir == null ? null : dataDir.resolve(REGISTRATIONS);
    if (registrations != null && Files.exists(registrations)) {
      loadRegistrations();
    }
  }

  /** The bundled catalog only; registrations of new schemas live in memory. */
  public static CatalogSchemaRegistry bundled() {
    return new CatalogSchemaRegistry(null);
  }

  /** The bundled catalog plus registrations kept in {@code dataDir}. */
  public static CatalogSchemaRegistry persistent(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create registry directory " + dataDir, e);
    }
    return new CatalogSchemaRegistry(dataDir);
  }

  /** The catalog's lines, in file order. */
  public static List<Entry> readCatalog() {
    List<Entry> entries = new ArrayList<>();
    try (InputStream in = resource(CATALOG);
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        if (f.length != 5) {
          throw new IllegalStateException("malformed catalog line: " + line);
        }
        entries.add(new Entry(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3], f[4]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }

  /** Parses a catalog entry's schema file and checks it still has the recorded fingerprint. */
  public static Schema loadCatalogSchema(Entry e) {
    String dir = CATALOG.substring(0, CATALOG.lastIndexOf('/') + 1);
    try (InputStream in = resource(dir + e.file())) {
      Schema schema = new Schema.Parser().parse(in);
      String actual = SchemaFingerprint.of(schema);
      if (!actual.equals(e.sha256())) {
        throw new IllegalStateException(
            "catalog file "
                + e.file()
                + " was edited: its fingerprint is "
                + actual
                + " but the catalog recorded "
                + e.sha256()
                + "; the catalog is append-only");
      }
      return schema;
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = CatalogSchemaRegistry.class.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("missing bundled resource " + name);
    }
    return in;
  }

  private void loadRegistrations() {
    try {
      for (String line : Files.readAllLines(registrations, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split("\t", 3);
        int id = Integer.parseInt(f[1]);
        add(f[0], id, new Schema.Parser().parse(f[2]));
        nextDynamicId = Math.max(nextDynamicId, id + 1);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + registrations, e);
    }
  }

  private RegisteredSchema add(String subject, int id, Schema schema) {
    schemasById.putIfAbsent(id, schema);
    idsByFingerprint.putIfAbsent(SchemaFingerprint.of(schema), id);
    List<RegisteredSchema> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
    for (RegisteredSchema v : versions) {
      if (v.id() == id) {
        return v;
      }
    }
    RegisteredSchema added = new RegisteredSchema(subject, versions.size() + 1, id, schema);
    versions.add(added);
    return added;
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    Optional<RegisteredSchema> existing = lookup(subject, schema);
    if (existing.isPresent()) {
      return existing.get().id();
    }
    Integer id = idsByFingerprint.get(SchemaFingerprint.of(schema));
    int assigned = id != null ? id : nextDynamicId++;
    add(subject, assigned, schema);
    persist(subject, assigned, schema);
    return assigned;
  }

  private void persist(String subject, int id, Schema schema) {
    if (registrations == null) {
      return;
    }
    String line = subject + "\t" + id + "\t" + schema.toString() + "\n";
    try {
      Files.writeString(
          registrations,
          line,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw new SchemaRegistryException("cannot persist registration to " + registrations, e);
    }
  }

  @Override
  public synchronized Optional<RegisteredSchema> lookup(String subject, Schema schema) {
    Integer id = idsByFingerprint.get(SchemaFingerprint.of(schema));
    if (id == null) {
      return Optional.empty();
    }
    return subjects.getOrDefault(subject, List.of()).stream().filter(v -> v.id() == id).findFirst();
  }

  /** The id of {@code schema} whatever the subject, if it is known. */
  public synchronized Optional<Integer> idOf(Schema schema) {
    return Optional.ofNullable(idsByFingerprint.get(SchemaFingerprint.of(schema)));
  }

  @Override
  public synchronized Schema byId(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new SchemaRegistryException("schema " + id + " not found", 40403);
    }
    return schema;
  }

  /** From memory: the future is always complete. */
  @Override
  public CompletableFuture<Schema> byIdAsync(int id) {
    try {
      return CompletableFuture.completedFuture(byId(id));
    } catch (SchemaRegistryException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public synchronized Optional<RegisteredSchema> latest(String subject) {
    List<RegisteredSchema> versions = subjects.get(subject);
    return versions == null ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
  }

  @Override
  public synchronized List<RegisteredSchema> versions(String subject) {
    return List.copyOf(subjects.getOrDefault(subject, List.of()));
  }

  @Override
  public synchronized List<String> subjects() {
    return List.copyOf(subjects.keySet());
  }
}
