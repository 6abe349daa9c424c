package io.sluice.schema.serde;

import io.sluice.schema.AvroTrust;
import io.sluice.schema.registry.RegisteredSchema;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.schema.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro binary in the Confluent Schema Registry framing: magic byte 0, a 4-byte big-endian schema
 * id, then the Avro binary body. Subjects follow the topic name strategy ({@code <topic>-value},
 * {@code <topic>-key}).
 *
 * <p>The writer schema of every record read is fetched by id, so a reader with an older schema
 * reads records written with a newer compatible one. A payload that cannot be read fails with a
 * {@link SerializationException} saying why, whatever it holds: a huge length or count is refused
 * before it is allocated (Avro's own checks against the bytes left), and nesting too deep for the
 * stack (a recursive writer schema) is refused too; it never decodes to {@code null}.
 *
 * <p>Thread-safe: one instance may serve every stream thread.
 */
public final class ConfluentAvroSerde<T> implements Serde<T> {
  public static final byte MAGIC = 0;
  public static final int HEADER_SIZE = 5;

  private final SchemaRegistry registry;
  private final boolean isKey;
  private final Schema readerSchema;
  private final GenericData model;
  private final Map<String, Integer> idsBySubject = new ConcurrentHashMap<>();

  /** The id of this serde's own schema per topic: the fast path of {@link #serialize}. */
  private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();

  private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

  /**
   * Ids this serde can never read (the registry has no such id, or it names another record), with
   * the reason: a record that carries one fails at once, without asking the registry again.
   */
  private final Map<Integer, String> unreadable = new ConcurrentHashMap<>();

  /** Writers are stateless between calls and costly to build: one per schema, shared. */
  private final Map<Schema, GenericDatumWriter<T>> writers = new ConcurrentHashMap<>();

  static {
    AvroTrust.install();
  }

  private ConfluentAvroSerde(
      SchemaRegistry registry, boolean isKey, Schema readerSchema, GenericData model) {
    this.registry = registry;
    this.isKey = isKey;
    this.readerSchema = readerSchema;
    this.model = model;
  }

  /** A value serde of a generated class. */
  public static <T extends SpecificRecord> ConfluentAvroSerde<T> forValues(
      Class<T> type, SchemaRegistry registry) {
    return specific(type, registry, false);
  }

  /** A serde of a generated class, for keys or values. */
  public static <T extends SpecificRecord> ConfluentAvroSerde<T> specific(
      Class<T> type, SchemaRegistry registry, boolean isKey) {
    SpecificData model = SpecificData.getForClass(type);
    return new ConfluentAvroSerde<>(registry, isKey, model.getSchema(type), model);
  }

  /** A serde that reads any record with its writer schema, as a {@link GenericRecord}. */
  public static ConfluentAvroSerde<GenericRecord> generic(SchemaRegistry registry, boolean isKey) {
    return new ConfluentAvroSerde<>(registry, isKey, null, GenericData.get());
  }

  /** The subject of {@code topic} under the topic name strategy. */
  public static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }

  /** The schema id in a framed payload, or a {@link SerializationException} if it is not one. */
  public static int schemaId(byte[] data) {
    if (data.length < HEADER_SIZE) {
      throw new SerializationException(
          "payload of "
              + data.length
              + " bytes is too short for the Confluent framing (magic byte and 4-byte schema id)");
    }
    if (data[0] != MAGIC) {
      throw new SerializationException(
          String.format(
              "unknown magic byte 0x%02x: not Avro in the Confluent framing", data[0] & 0xff));
    }
    return ByteBuffer.wrap(data, 1, 4).getInt();
  }

  /** Registers (or looks up) this serde's schema under {@code topic}'s subject; returns the id. */
  public int register(String topic) {
    if (readerSchema == null) {
      throw new IllegalStateException("a generic serde has no schema of its own");
    }
    return idFor(topic, readerSchema);
  }

  private int idFor(String topic, Schema schema) {
    if (schema == readerSchema) {
      Integer id = idsByTopic.get(topic);
      if (id == null) {
        id =
            idsBySubject.computeIfAbsent(
                subject(topic, isKey), s -> registry.register(s, readerSchema));
        idsByTopic.put(topic, id);
        // what this serde writes it reads back without asking the registry for the schema
        readers.computeIfAbsent(id, k -> newReader(k, readerSchema));
      }
      return id;
    }
    return registry.register(subject(topic, isKey), schema);
  }

  @Override
  public Serializer<T> serializer() {
    return this::serialize;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this::deserialize;
  }

  /** Writes {@code value} framed; {@code null} stays {@code null} (a tombstone). */
  public byte[] serialize(String topic, T value) {
    if (value == null) {
      return null;
    }
    Schema schema = readerSchema != null ? readerSchema : ((GenericRecord) value).getSchema();
    int id = idFor(topic, schema);
    GenericDatumWriter<T> writer = writers.get(schema);
    if (writer == null) {
      writer = writers.computeIfAbsent(schema, this::newWriter);
    }
    Scratch scratch = SCRATCH.get();
    scratch.reset();
    scratch.write(MAGIC);
    scratch.write(id >>> 24);
    scratch.write(id >>> 16);
    scratch.write(id >>> 8);
    scratch.write(id);
    try {
      writer.write(value, scratch.encoder);
      scratch.encoder.flush();
      return scratch.copy();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot write " + schema.getFullName() + " to " + topic + ": " + e.getMessage(), e);
    } finally {
      scratch.release();
    }
  }

  /** Each thread's output buffer and encoder, reused by every serialization on that thread. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /**
   * An unsynchronized growable buffer ({@link ByteArrayOutputStream} locks on every write) with the
   * direct encoder that writes into it. One thread uses it for one record at a time: the Avro
   * writer never calls back into a serde.
   */
  private static final class Scratch extends java.io.OutputStream {
    private static final int INITIAL = 1024;
    private static final int KEPT = 64 * 1024;
    private byte[] buf = new byte[INITIAL];
    private int count;
    final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(this, null);

    void reset() {
      count = 0;
    }

    /** Gives back the memory of an unusually large record. */
    void release() {
      if (buf.length > KEPT) {
        buf = new byte[INITIAL];
      }
    }

    byte[] copy() {
      return java.util.Arrays.copyOf(buf, count);
    }

    private void ensure(int more) {
      if (count + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
      }
    }

    @Override
    public void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }
  }

  private static final CompletableFuture<Void> READY = CompletableFuture.completedFuture(null);

  /**
   * Fetches every version registered under {@code topic}'s subject and prepares to read it, so that
   * records written with any of them are read without a registry call (start-up I/O: this blocks).
   */
  public void fetchRegistered(String topic) {
    for (RegisteredSchema v : registry.versions(subject(topic, isKey))) {
      try {
        readers.computeIfAbsent(v.id(), id -> newReader(id, v.schema()));
      } catch (SerializationException wrongRecord) {
        unreadable.put(v.id(), wrongRecord.getMessage());
      }
    }
  }

  /**
   * Gets ready to {@link #deserialize} {@code data} without blocking the caller: the future is
   * complete at once when deserializing needs no registry call (the writer schema is at hand, or
   * the payload fails without one); otherwise it completes when the registry has answered, with the
   * schema or with "no such id" (deserializing then fails without I/O), and completes exceptionally
   * when the registry could not answer (unreachable, 5xx): ask again later.
   */
  public CompletableFuture<Void> prefetch(byte[] data) {
    if (data == null || data.length < HEADER_SIZE || data[0] != MAGIC) {
      return READY;
    }
    int id = schemaId(data);
    if (readers.containsKey(id) || unreadable.containsKey(id)) {
      return READY;
    }
    return registry
        .byIdAsync(id)
        .handle(
            (writer, e) -> {
              if (e == null) {
                try {
                  readers.computeIfAbsent(id, k -> newReader(k, writer));
                } catch (SerializationException wrongRecord) {
                  unreadable.put(id, wrongRecord.getMessage());
                }
                return null;
              }
              Throwable cause =
                  e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              if (cause instanceof SchemaRegistryException r && r.schemaNotFound()) {
                unreadable.put(id, r.getMessage());
                return null;
              }
              throw new CompletionException(cause);
            });
  }

  /** Reads a framed payload; {@code null} stays {@code null}. */
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    int id = schemaId(data);
    DatumReader<T> reader = readers.get(id);
    if (reader == null) {
      String reason = unreadable.get(id);
      if (reason != null) {
        throw new SerializationException(
            "cannot resolve schema id " + id + " of a record in " + topic + ": " + reason);
      }
      try {
        reader = readers.computeIfAbsent(id, k -> newReader(k, registry.byId(k)));
      } catch (RuntimeException e) {
        if (e instanceof SchemaRegistryException r && r.schemaNotFound()) {
          unreadable.put(id, r.getMessage());
        }
        throw new SerializationException(
            "cannot resolve schema id " + id + " of a record in " + topic + ": " + e.getMessage(),
            e);
      }
    }
    BinaryDecoder decoder =
        DecoderFactory.get().binaryDecoder(data, HEADER_SIZE, data.length - HEADER_SIZE, null);
    T value;
    try {
      value = reader.read(null, decoder);
    } catch (StackOverflowError e) {
      // a recursive writer schema lets a payload nest as deep as its bytes allow; the reader (and
      // the resolver skipping a field unknown to it) recurse per level. The stack has unwound by
      // now and the reader keeps no state between records: refuse the record, keep the thread.
      throw new SerializationException(
          "cannot decode the Avro body ("
              + (data.length - HEADER_SIZE)
              + " bytes, schema id "
              + id
              + ") of a record in "
              + topic
              + ": nested too deeply for the reader's stack");
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot decode the Avro body ("
              + (data.length - HEADER_SIZE)
              + " bytes, schema id "
              + id
              + ") of a record in "
              + topic
              + ": "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
          e);
    }
    try {
      if (!decoder.isEnd()) {
        throw new SerializationException(
            "trailing bytes after the Avro body (schema id " + id + ") of a record in " + topic);
      }
    } catch (IOException e) {
      throw new SerializationException("cannot read record in " + topic, e);
    }
    return value;
  }

  private GenericDatumWriter<T> newWriter(Schema schema) {
    return model instanceof SpecificData sd
        ? SpecificWriters.of(schema, sd)
        : new GenericDatumWriter<>(schema, model);
  }

  private DatumReader<T> newReader(int id, Schema writer) {
    if (readerSchema == null) {
      return new GenericDatumReader<>(writer, writer, model);
    }
    if (!writer.getFullName().equals(readerSchema.getFullName())
        && !readerSchema.getAliases().contains(writer.getFullName())) {
      throw new SerializationException(
          "schema id "
              + id
              + " is "
              + writer.getFullName()
              + ", expected "
              + readerSchema.getFullName());
    }
    return new SpecificDatumReader<>(writer, readerSchema, (SpecificData) model);
  }
}
