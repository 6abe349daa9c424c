package io.sluice.schema.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.ChatMessage;
import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.events.SemanticMatch;
import io.sluice.events.ToolCall;
import io.sluice.events.ToolResult;
import io.sluice.events.TraceSpan;
import io.sluice.events.Usage;
import io.sluice.internal.Completion;
import io.sluice.internal.SessionState;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SpecificWritersTest {
  static Stream<Class<? extends SpecificRecordBase>> writtenTypes() {
    return Stream.of(
        Response.class,
        ResponseChunk.class,
        TraceSpan.class,
        Usage.class,
        ToolCall.class,
        ToolResult.class,
        SemanticMatch.class,
        ChatMessage.class,
        Completion.class,
        SessionState.class);
  }

  @ParameterizedTest
  @MethodSource("writtenTypes")
  <T extends SpecificRecordBase>
      void givenRandomRecords_whenWrittenWithTheirOwnCoders_thenTheBytesAreTheGenericWritersBytes(
          Class<T> type) throws IOException {
    Schema schema = SpecificData.getForClass(type).getSchema(type);
    SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
    assertThat(SpecificWriters.of(type).getSpecificData().useCustomCoders()).isTrue();
    assertThat(ownCoders(type)).as("the generated class encodes itself").isTrue();
    Random random = new Random(type.getName().hashCode());
    for (int i = 0; i < 300; i++) {
      Object generic = new RandomRecords(random).value(schema, 0);
      byte[] generically = write(new GenericDatumWriter<>(schema), generic);
      T record = reader.read(null, DecoderFactory.get().binaryDecoder(generically, null));
      // the same record through the field-by-field writer (custom coders off, Avro's default)
      byte[] expected =
          write(new SpecificDatumWriter<T>(schema, SpecificData.getForClass(type)), record);

      byte[] actual = write(SpecificWriters.of(type), record);

      assertThat(actual).isEqualTo(expected);
    }
  }

  @ParameterizedTest
  @MethodSource("writtenTypes")
  <T extends SpecificRecordBase> void givenARecord_whenItsSerdeWritesIt_thenItReadsBackEqual(
      Class<T> type) throws IOException {
    Schema schema = SpecificData.getForClass(type).getSchema(type);
    SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
    Object generic = new RandomRecords(new Random(7)).value(schema, 0);
    T record =
        reader.read(
            null,
            DecoderFactory.get()
                .binaryDecoder(write(new GenericDatumWriter<>(schema), generic), null));
    ConfluentAvroSerde<T> serde =
        ConfluentAvroSerde.forValues(type, CatalogSchemaRegistry.bundled());

    T back = serde.deserialize("t", serde.serialize("t", record));

    assertThat(back).isEqualTo(record);
  }

  private static boolean ownCoders(Class<? extends SpecificRecordBase> type) {
    try {
      Method m = SpecificRecordBase.class.getDeclaredMethod("hasCustomCoders");
      m.setAccessible(true);
      return (boolean) m.invoke(type.getConstructor().newInstance());
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static <D> byte[] write(DatumWriter<D> writer, Object value) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    @SuppressWarnings("unchecked")
    D datum = (D) value;
    writer.write(datum, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  /** Generic values of a schema: every union branch, empty and full collections, any text. */
  private record RandomRecords(Random random) {
    private static final String TEXT = "ab z0é€𝄞\"\\\n";

    Object value(Schema s, int depth) {
      switch (s.getType()) {
        case RECORD:
          GenericRecord r = new GenericData.Record(s);
          for (Schema.Field f : s.getFields()) {
            r.put(f.pos(), value(f.schema(), depth + 1));
          }
          return r;
        case UNION:
          List<Schema> branches = s.getTypes();
          Schema b = branches.get(random.nextInt(branches.size()));
          if (depth > 4 && s.getIndexNamed("null") != null) {
            b = Schema.create(Schema.Type.NULL); // keep recursive schemas finite
          }
          return value(b, depth + 1);
        case ARRAY:
          List<Object> items = new ArrayList<>();
          for (int i = random.nextInt(depth > 3 ? 1 : 4); i > 0; i--) {
            items.add(value(s.getElementType(), depth + 1));
          }
          return new GenericData.Array<>(s, items);
        case MAP:
          Map<String, Object> m = new LinkedHashMap<>();
          for (int i = random.nextInt(4); i > 0; i--) {
            m.put(text(), value(s.getValueType(), depth + 1));
          }
          return m;
        case ENUM:
          return new GenericData.EnumSymbol(
              s, s.getEnumSymbols().get(random.nextInt(s.getEnumSymbols().size())));
        case FIXED:
          byte[] fixed = new byte[s.getFixedSize()];
          random.nextBytes(fixed);
          return new GenericData.Fixed(s, fixed);
        case STRING:
          return text();
        case BYTES:
          byte[] bytes = new byte[random.nextInt(8)];
          random.nextBytes(bytes);
          return ByteBuffer.wrap(bytes);
        case INT:
          return random.nextInt();
        case LONG:
          return random.nextLong();
        case FLOAT:
          return random.nextFloat();
        case DOUBLE:
          return random.nextDouble() * 1000;
        case BOOLEAN:
          return random.nextBoolean();
        default:
          return null;
      }
    }

    private String text() {
      StringBuilder b = new StringBuilder();
      for (int i = random.nextInt(12); i > 0; i--) {
        b.appendCodePoint(TEXT.codePointAt(TEXT.offsetByCodePoints(0, random.nextInt(11))));
      }
      return b.toString();
    }
  }
}
