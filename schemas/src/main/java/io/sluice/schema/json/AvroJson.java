package io.sluice.schema.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.schema.AvroTrust;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The plain JSON form of Sluice's events, the one the command line reads and prints: the Avro field
 * names, optional fields may be left out (their defaults apply), enums are strings, no union
 * wrappers, timestamps are epoch millis (an ISO-8601 string is accepted on input).
 *
 * <p>Reading is strict: an unknown field, a wrong type or a missing required field fails with an
 * {@link AvroJsonException} naming the field.
 */
public final class AvroJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static {
    AvroTrust.install();
  }

  private AvroJson() {}

  /** Parses one JSON document into an instance of a generated class. */
  public static <T extends SpecificRecord> T read(String json, Class<T> type) {
    Schema schema = SpecificData.get().getSchema(type);
    return type.cast(read(json, schema, true));
  }

  /** Parses one JSON document against {@code schema}; specific classes when {@code specific}. */
  public static Object read(String json, Schema schema, boolean specific) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new AvroJsonException("", "not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || node.isMissingNode()) {
      throw new AvroJsonException("", "empty document");
    }
    return new Reader(specific).convert(node, schema, "");
  }

  /** The JSON form of a record (generated or generic). */
  public static ObjectNode toJson(IndexedRecord record) {
    return (ObjectNode) write(record);
  }

  /** The JSON form of a record as one line of text. */
  public static String toJsonString(IndexedRecord record) {
    return toJson(record).toString();
  }

  private static JsonNode write(Object value) {
    if (value == null) {
      return NullNode.getInstance();
    }
    if (value instanceof IndexedRecord r) {
      ObjectNode obj = NODES.objectNode();
      for (Schema.Field f : r.getSchema().getFields()) {
        obj.set(f.name(), write(r.get(f.pos())));
      }
      return obj;
    }
    if (value instanceof CharSequence s) {
      return NODES.textNode(s.toString());
    }
    if (value instanceof Integer i) {
      return NODES.numberNode(i);
    }
    if (value instanceof Long l) {
      return NODES.numberNode(l);
    }
    if (value instanceof Double d) {
      return NODES.numberNode(d);
    }
    if (value instanceof Float f) {
      return NODES.numberNode(f);
    }
    if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (value instanceof Instant t) {
      return NODES.numberNode(t.toEpochMilli());
    }
    if (value instanceof Enum<?> || value instanceof GenericEnumSymbol<?>) {
      return NODES.textNode(value.toString());
    }
    if (value instanceof ByteBuffer b) {
      ByteBuffer dup = b.duplicate();
      byte[] bytes = new byte[dup.remaining()];
      dup.get(bytes);
      return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
    }
    if (value instanceof GenericData.Fixed f) {
      return NODES.textNode(Base64.getEncoder().encodeToString(f.bytes()));
    }
    if (value instanceof Map<?, ?> m) {
      ObjectNode obj = NODES.objectNode();
      m.forEach((k, v) -> obj.set(k.toString(), write(v)));
      return obj;
    }
    if (value instanceof Iterable<?> it) {
      ArrayNode arr = NODES.arrayNode();
      it.forEach(v -> arr.add(write(v)));
      return arr;
    }
    throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
  }

  private static final class Reader {
    private final boolean specific;

    Reader(boolean specific) {
      this.specific = specific;
    }

    Object convert(JsonNode node, Schema schema, String path) {
      switch (schema.getType()) {
        case NULL:
          if (!node.isNull()) {
            throw new AvroJsonException(path, "expected null, got " + describe(node));
          }
          return null;
        case BOOLEAN:
          if (!node.isBoolean()) {
            throw mismatch(path, "a boolean", node);
          }
          return node.booleanValue();
        case INT:
          if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw mismatch(path, "an int", node);
          }
          return node.intValue();
        case LONG:
          return readLong(node, schema, path);
        case FLOAT:
          if (!node.isNumber()) {
            throw mismatch(path, "a number", node);
          }
          return node.floatValue();
        case DOUBLE:
          if (!node.isNumber()) {
            throw mismatch(path, "a number", node);
          }
          return node.doubleValue();
        case STRING:
          if (!node.isTextual()) {
            throw mismatch(path, "a string", node);
          }
          return node.textValue();
        case BYTES:
          if (!node.isTextual()) {
            throw mismatch(path, "a base64 string", node);
          }
          return ByteBuffer.wrap(decodeBase64(node.textValue(), path));
        case FIXED:
          if (!node.isTextual()) {
            throw mismatch(path, "a base64 string", node);
          }
          return new GenericData.Fixed(schema, decodeBase64(node.textValue(), path));
        case ENUM:
          if (!node.isTextual() || !schema.getEnumSymbols().contains(node.textValue())) {
            throw new AvroJsonException(
                path, "expected one of " + schema.getEnumSymbols() + ", got " + describe(node));
          }
          return specific
              ? SpecificData.get().createEnum(node.textValue(), schema)
              : new GenericData.EnumSymbol(schema, node.textValue());
        case ARRAY:
          {
            if (!node.isArray()) {
              throw mismatch(path, "an array", node);
            }
            List<Object> list = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++) {
              list.add(convert(node.get(i), schema.getElementType(), path + "[" + i + "]"));
            }
            return list;
          }
        case MAP:
          {
            if (!node.isObject()) {
              throw mismatch(path, "an object", node);
            }
            Map<String, Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
              map.put(
                  e.getKey(),
                  convert(e.getValue(), schema.getValueType(), path + "." + e.getKey()));
            }
            return map;
          }
        case UNION:
          return readUnion(node, schema, path);
        case RECORD:
          return readRecord(node, schema, path);
        default:
          throw new AvroJsonException(path, "unsupported Avro type " + schema.getType());
      }
    }

    private Object readLong(JsonNode node, Schema schema, String path) {
      boolean timestamp = schema.getLogicalType() instanceof LogicalTypes.TimestampMillis;
      long millis;
      if (node.isIntegralNumber() && node.canConvertToLong()) {
        millis = node.longValue();
      } else if (timestamp && node.isTextual()) {
        try {
          millis = Instant.parse(node.textValue()).toEpochMilli();
        } catch (DateTimeParseException e) {
          throw new AvroJsonException(
              path, "expected epoch millis or an ISO-8601 instant, got " + describe(node));
        }
      } else {
        throw mismatch(path, timestamp ? "epoch millis or an ISO-8601 instant" : "a long", node);
      }
      return timestamp && specific ? Instant.ofEpochMilli(millis) : millis;
    }

    private Object readUnion(JsonNode node, Schema schema, String path) {
      List<Schema> branches = schema.getTypes();
      if (node.isNull()) {
        for (Schema b : branches) {
          if (b.getType() == Schema.Type.NULL) {
            return null;
          }
        }
        throw new AvroJsonException(path, "must not be null");
      }
      AvroJsonException first = null;
      for (Schema b : branches) {
        if (b.getType() == Schema.Type.NULL) {
          continue;
        }
        try {
          return convert(node, b, path);
        } catch (AvroJsonException e) {
          if (first == null) {
            first = e;
          }
        }
      }
      throw first != null ? first : new AvroJsonException(path, "no branch of " + schema);
    }

    private Object readRecord(JsonNode node, Schema schema, String path) {
      if (!node.isObject()) {
        throw mismatch(path, "an object", node);
      }
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String name = e.getKey();
        if (schema.getField(name) == null) {
          throw new AvroJsonException(
              join(path, name), "unknown field of " + schema.getName() + fieldList(schema));
        }
      }
      IndexedRecord record =
          specific
              ? (IndexedRecord) SpecificData.get().newRecord(null, schema)
              : new GenericData.Record(schema);
      for (Schema.Field f : schema.getFields()) {
        JsonNode value = node.get(f.name());
        String fieldPath = join(path, f.name());
        if (value == null) {
          if (!f.hasDefaultValue()) {
            throw new AvroJsonException(fieldPath, "required field is missing");
          }
          value = defaultAsJson(f);
        }
        record.put(f.pos(), convert(value, f.schema(), fieldPath));
      }
      return record;
    }

    private static JsonNode defaultAsJson(Schema.Field f) {
      Object def = f.defaultVal();
      if (def == JsonProperties.NULL_VALUE) {
        return NullNode.getInstance();
      }
      return MAPPER.valueToTree(def);
    }

    private static String fieldList(Schema schema) {
      List<String> names = new ArrayList<>();
      schema.getFields().forEach(f -> names.add(f.name()));
      return " (fields: " + String.join(", ", names) + ")";
    }

    private static byte[] decodeBase64(String text, String path) {
      try {
        return Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        throw new AvroJsonException(path, "not valid base64");
      }
    }

    private static String join(String path, String name) {
      return path.isEmpty() ? name : path + "." + name;
    }

    private static AvroJsonException mismatch(String path, String expected, JsonNode node) {
      return new AvroJsonException(path, "expected " + expected + ", got " + describe(node));
    }

    private static String describe(JsonNode node) {
      String text = node.toString();
      String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
      return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + shown;
    }
  }
}
