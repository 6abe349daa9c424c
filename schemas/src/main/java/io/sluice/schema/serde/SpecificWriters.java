package io.sluice.schema.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Conversion;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Avro writers for generated classes that use the classes' own encoders ({@code customEncode}): a
 * generated record without logical-type fields writes itself field by field, instead of the generic
 * writer looking up every field and resolving every union branch by name (in the profile of the
 * stream thread, about a tenth of its samples were Avro writing, much of it union resolution:
 * {@code docs/BENCHMARKS.md}). The bytes are the same: both encode the record's own schema ({@code
 * SpecificWritersTest}). Records that have no custom coder (those with logical types, like {@code
 * Request}) are written as before.
 *
 * <p>Avro turns custom coders on per {@link SpecificData} instance, default off (the {@code
 * org.apache.avro.specific.use_custom_coders} system property); Sluice uses a copy of the class's
 * model with them on, for writing only, so the shared model and every reader stay as they were.
 */
public final class SpecificWriters {
  private static final Map<SpecificData, SpecificData> WRITING = new ConcurrentHashMap<>();

  private SpecificWriters() {}

  /** A writer of {@code schema} for records of {@code model}'s classes, with custom coders on. */
  public static <T> SpecificDatumWriter<T> of(Schema schema, SpecificData model) {
    return new SpecificDatumWriter<>(schema, writing(model));
  }

  /** A writer of {@code type}'s records. */
  public static <T> SpecificDatumWriter<T> of(Class<T> type) {
    SpecificData model = SpecificData.getForClass(type);
    return of(model.getSchema(type), model);
  }

  /** {@code model}'s copy with custom coders on: same class loader, same conversions. */
  static SpecificData writing(SpecificData model) {
    if (model.useCustomCoders()) {
      return model;
    }
    return WRITING.computeIfAbsent(
        model,
        m -> {
          SpecificData copy = new SpecificData(m.getClassLoader());
          for (Conversion<?> c : m.getConversions()) {
            copy.addLogicalTypeConversion(c);
          }
          copy.setFastReaderEnabled(m.isFastReaderEnabled());
          copy.setCustomCoders(true);
          return copy;
        });
  }
}
