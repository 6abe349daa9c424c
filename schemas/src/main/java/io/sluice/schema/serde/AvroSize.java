package io.sluice.schema.serde;

import io.sluice.schema.AvroTrust;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The size of a record as {@link ConfluentAvroSerde} writes it, to check a bound before the record
 * is written. {@link #upperBound} walks the value without encoding it: every string counts three
 * bytes a character (UTF-8's worst case for a Java {@code char}) and every other value ten, so it
 * is never below the encoded size. Only when that bound passes a limit is the record encoded, into
 * a counter, to know its exact size: the common, small record costs one walk and no copy.
 */
public final class AvroSize {
  /** The Confluent framing: magic byte and 4-byte schema id. */
  public static final int FRAMING_BYTES = 5;

  private static final int SCALAR_BOUND = 10;
  private static final EncoderFactory ENCODERS = EncoderFactory.get();

  private AvroSize() {}

  /** True if {@code record}, framed, takes more than {@code limit} bytes. */
  public static boolean exceeds(SpecificRecord record, long limit) {
    return upperBound(record) > limit && exact(record) > limit;
  }

  /**
   * The framed size of {@code record}: exact when the bound passes {@code limit}, else the bound.
   */
  public static long atMost(SpecificRecord record, long limit) {
    long bound = upperBound(record);
    return bound > limit ? exact(record) : bound;
  }

  /** A size the encoded, framed record never exceeds. */
  public static long upperBound(Object value) {
    return FRAMING_BYTES + bound(value);
  }

  /** The exact encoded size of {@code record} with the framing. */
  public static long exact(SpecificRecord record) {
    AvroTrust.install();
    Counter out = new Counter();
    BinaryEncoder encoder = ENCODERS.directBinaryEncoder(out, null);
    try {
      SpecificWriters.<SpecificRecord>of(
              record.getSchema(), SpecificData.getForSchema(record.getSchema()))
          .write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return FRAMING_BYTES + out.count;
  }

  /** The UTF-8 length of {@code s}, without encoding it. */
  public static long utf8Length(CharSequence s) {
    if (s == null) {
      return 0;
    }
    long n = 0;
    int len = s.length();
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < len
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static long bound(Object v) {
    if (v == null) {
      return 1;
    }
    if (v instanceof CharSequence s) {
      return SCALAR_BOUND + 3L * s.length();
    }
    if (v instanceof ByteBuffer b) {
      return SCALAR_BOUND + b.remaining();
    }
    if (v instanceof byte[] b) {
      return SCALAR_BOUND + b.length;
    }
    if (v instanceof IndexedRecord r) {
      long n = SCALAR_BOUND; // a union index, if the record is a branch of one
      int fields = r.getSchema().getFields().size();
      for (int i = 0; i < fields; i++) {
        n += bound(r.get(i));
      }
      return n;
    }
    if (v instanceof Collection<?> c) {
      long n = 2 * SCALAR_BOUND; // block count and end marker
      for (Object item : c) {
        n += bound(item);
      }
      return n;
    }
    if (v instanceof Map<?, ?> m) {
      long n = 2 * SCALAR_BOUND;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        n += bound(e.getKey()) + bound(e.getValue());
      }
      return n;
    }
    if (v instanceof GenericFixed f) {
      return SCALAR_BOUND + f.bytes().length;
    }
    return SCALAR_BOUND; // numbers, booleans, enums, instants
  }

  private static final class Counter extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
