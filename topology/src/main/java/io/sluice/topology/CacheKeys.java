package io.sluice.topology;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.ToolInvocation;
import io.sluice.events.ToolSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The response cache's key: SHA-256 of the canonical request, i.e. the scope (the tenant, or
 * everyone), the model as requested, the whole conversation as sent to the provider, the parameters
 * that change the answer, and the tool definitions. Request ids, sessions, priority, deadlines and
 * metadata do not count.
 */
final class CacheKeys {
  private static final JsonFactory JSON = new JsonFactory();

  /** One digest per thread (the stream threads, the front door's), reset before each key. */
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(CacheKeys::sha256);

  private CacheKeys() {}

  /** A request may be answered from the cache by default when its sampling is deterministic. */
  static boolean deterministic(Request r) {
    RequestParams p = r.getParams();
    return p != null && p.getTemperature() != null && p.getTemperature() == 0.0;
  }

  /**
   * The key of {@code r} with {@code messages} as its conversation. The canonical request is
   * written as compact JSON straight into the digest (no tree, no string): the same characters as
   * before, encoded as {@link String#getBytes} would, so keys already in {@code llm.cache} stay
   * valid.
   */
  static String of(Request r, List<ChatMessage> messages, boolean perTenant) {
    MessageDigest digest = SHA256.get();
    digest.reset();
    try (JsonGenerator g =
        JSON.createGenerator(new OutputStreamWriter(new DigestSink(digest), UTF_8))) {
      g.writeStartObject();
      g.writeStringField(
          "scope",
          perTenant ? "tenant:" + (r.getTenantId() == null ? "" : r.getTenantId()) : "global");
      g.writeStringField("model", r.getModel());
      g.writeArrayFieldStart("messages");
      for (ChatMessage m : messages) {
        g.writeStartArray();
        g.writeString(m.getRole());
        g.writeString(m.getContent());
        g.writeString(m.getToolCallId());
        g.writeString(m.getName());
        g.writeStartArray();
        for (ToolInvocation t : m.getToolCalls()) {
          triple(g, t.getId(), t.getName(), t.getArgumentsJson());
        }
        g.writeEndArray();
        g.writeEndArray();
      }
      g.writeEndArray();
      RequestParams p = r.getParams();
      if (p != null) {
        g.writeObjectFieldStart("params");
        g.writeFieldName("temperature");
        number(g, p.getTemperature());
        g.writeFieldName("max_tokens");
        number(g, p.getMaxTokens());
        g.writeFieldName("top_p");
        number(g, p.getTopP());
        g.writeFieldName("seed");
        number(g, p.getSeed());
        g.writeArrayFieldStart("stop");
        for (String stop : p.getStop()) {
          g.writeString(stop);
        }
        g.writeEndArray();
        g.writeObjectFieldStart("extra");
        for (Map.Entry<String, String> e : new TreeMap<>(p.getExtra()).entrySet()) {
          g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeArrayFieldStart("tools");
      for (ToolSpec t : r.getTools()) {
        triple(g, t.getName(), t.getDescription(), t.getParametersJson());
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // the sink never throws
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A tool call or a tool definition: an array of its three texts. */
  private static void triple(JsonGenerator g, String a, String b, String c) throws IOException {
    g.writeStartArray();
    g.writeString(a);
    g.writeString(b);
    g.writeString(c);
    g.writeEndArray();
  }

  private static void number(JsonGenerator g, Number n) throws IOException {
    if (n == null) {
      g.writeNull();
    } else if (n instanceof Double d) {
      g.writeNumber(d);
    } else if (n instanceof Long l) {
      g.writeNumber(l);
    } else {
      g.writeNumber(n.intValue());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Bytes into the digest. */
  private static final class DigestSink extends OutputStream {
    private final MessageDigest digest;

    DigestSink(MessageDigest digest) {
      this.digest = digest;
    }

    @Override
    public void write(int b) {
      digest.update((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      digest.update(b, off, len);
    }
  }
}
