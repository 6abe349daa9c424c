package io.sluice.admission;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;

/**
 * The {@value AdmissionSupplier#IN_FLIGHT} store's values in a small binary layout (written two or
 * three times per admitted request). Values in the first format, JSON (they begin with '{'), are
 * still read.
 *
 * <pre>
 * byte    version (1)
 * string  tenant, keyId (int length, -1 for null, then UTF-8)
 * int     the number of scopes, then each scope as a string
 * long    admittedSecond, reserved, charged, deadlineMs, doneAtMs
 * int     usages
 * </pre>
 */
final class InFlightSerde {
  static final byte VERSION = 1;

  /** A scope list longer than this is not one this stage wrote (it writes one or two). */
  private static final int MAX_SCOPES = 16;

  private InFlightSerde() {}

  static Serde<InFlight> serde() {
    return JsonSerde.binaryReadingJson(InFlight.class, InFlightSerde::write, InFlightSerde::read);
  }

  static byte[] write(InFlight e) {
    byte[] tenant = utf8(e.tenant());
    byte[] key = utf8(e.keyId());
    List<byte[]> scopes = new ArrayList<>(e.scopes().size());
    int n = 1 + 4 + len(tenant) + 4 + len(key) + 4 + 5 * 8 + 4;
    for (String s : e.scopes()) {
      byte[] b = utf8(s);
      scopes.add(b);
      n += 4 + len(b);
    }
    ByteBuffer b = ByteBuffer.allocate(n).put(VERSION);
    string(b, tenant);
    string(b, key);
    b.putInt(scopes.size());
    scopes.forEach(s -> string(b, s));
    b.putLong(e.admittedSecond())
        .putLong(e.reserved())
        .putLong(e.charged())
        .putLong(e.deadlineMs())
        .putLong(e.doneAtMs())
        .putInt(e.usages());
    return b.array();
  }

  static InFlight read(byte[] bytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      byte version = b.get();
      if (version != VERSION) {
        throw new SerializationException("unknown admission in-flight version " + version);
      }
      String tenant = string(b);
      String key = string(b);
      int n = b.getInt();
      if (n < 0 || n > MAX_SCOPES) {
        throw new SerializationException("admission in-flight entry with " + n + " scopes");
      }
      List<String> scopes = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        scopes.add(string(b));
      }
      return new InFlight(
          tenant,
          key,
          List.copyOf(scopes),
          b.getLong(),
          b.getLong(),
          b.getLong(),
          b.getLong(),
          b.getLong(),
          b.getInt());
    } catch (SerializationException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SerializationException("cannot read an admission in-flight entry", e);
    }
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  private static int len(byte[] b) {
    return b == null ? 0 : b.length;
  }

  private static void string(ByteBuffer b, byte[] s) {
    if (s == null) {
      b.putInt(-1);
    } else {
      b.putInt(s.length).put(s);
    }
  }

  private static String string(ByteBuffer b) {
    int n = b.getInt();
    if (n < -1 || n > b.remaining()) {
      throw new SerializationException("admission in-flight entry: a string of " + n + " bytes");
    }
    if (n == -1) {
      return null;
    }
    byte[] s = new byte[n];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }
}
