package io.sluice.it;

import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.ToolSpec;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The bad-input corpus of chaos scenario 5, generated from a seed: undecodable bytes of every kind,
 * requests with every invalid field value ingest knows, very large and strange valid requests, and
 * valid requests between them. Each record says what must become of it; for mutated bytes that is
 * decided by decoding them as the gateway does (readable: a response; unreadable: a dead letter).
 */
final class BadInputCorpus {
  /** What must become of a record. */
  enum Expect {
    /** A dead letter in llm.dlq, found by its source partition and offset. */
    DEAD_LETTER,
    /** A REJECTED response with {@link Item#code}. */
    REJECTED,
    /** An OK response: the valid requests around the bad ones. */
    OK,
    /** A response, OK or REJECTED/ERROR with a code (readable mutations, huge valid requests). */
    ANSWERED
  }

  /**
   * One record. {@code requestId} is null when the response cannot name it (the request has no
   * usable id): such responses are counted, not matched.
   */
  record Item(
      String kind, byte[] key, byte[] value, Expect expect, String code, String requestId) {}

  static final String TOPIC = "llm.requests";
  private static final ConfluentAvroSerde<Request> SERDE =
      ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled());

  private final SplittableRandom random;
  private final List<Item> bad = new ArrayList<>();
  private final Set<String> ids = new HashSet<>();
  private int n;

  BadInputCorpus(long seed) {
    random = new SplittableRandom(seed);
  }

  static Request request(String id, String session, String text) {
    return Request.newBuilder()
        .setRequestId(id)
        .setSessionId(session)
        .setTenantId("chaos")
        .setModel("gpt")
        .setMessages(new ArrayList<>(List.of(new ChatMessage("user", text, null, null, List.of()))))
        .setCreatedAt(Instant.now())
        .build();
  }

  static byte[] encode(Request r) {
    return SERDE.serialize(TOPIC, r);
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  /** The whole corpus: the bad records shuffled, a valid request after every fourth. */
  List<Item> build() {
    garbage();
    mutations();
    invalidFields();
    largeAndStrange();
    List<Item> shuffled = new ArrayList<>(bad);
    for (int i = shuffled.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      Item t = shuffled.get(i);
      shuffled.set(i, shuffled.get(j));
      shuffled.set(j, t);
    }
    List<Item> all = new ArrayList<>();
    for (int i = 0; i < shuffled.size(); i++) {
      all.add(shuffled.get(i));
      if (i % 4 == 3) {
        String id = "valid-" + i;
        String session = "valid-session-" + (i % 12);
        all.add(
            new Item(
                "valid",
                utf8(session),
                encode(request(id, session, "q " + i)),
                Expect.OK,
                null,
                id));
      }
    }
    // the big ones' sessions go on: their later requests are answered too
    for (String session : List.of("huge-session", "unicode-session")) {
      String id = session + "-after";
      all.add(
          new Item(
              "valid", utf8(session), encode(request(id, session, "after")), Expect.OK, null, id));
    }
    return all;
  }

  private byte[] randomBytes(int length) {
    byte[] b = new byte[length];
    random.nextBytes(b);
    return b;
  }

  private void dead(String kind, byte[] key, byte[] value) {
    bad.add(new Item(kind, key, value, Expect.DEAD_LETTER, null, null));
  }

  private void garbage() {
    for (int i = 0; i < 40; i++) {
      byte[] b = randomBytes(random.nextInt(4096));
      if (b.length > 0 && b[0] == 0) {
        b[0] = 1; // random bytes with a magic byte are in mutations()
      }
      dead("random-bytes", random.nextBoolean() ? null : randomBytes(8), b);
    }
    dead("random-900k", null, randomBytes(900_000));
    dead("tombstone", utf8("k"), null);
    dead("empty", null, new byte[0]);
    Request ok = request("not-sent", "s", "body");
    byte[] body = encode(ok);
    for (int id : new int[] {2, 3, 6, 9, 13, 99, 12_345, -5, Integer.MAX_VALUE}) {
      byte[] b = body.clone();
      ByteBuffer.wrap(b, 1, 4).putInt(id);
      dead(id <= 13 && id > 0 ? "other-record-schema-id" : "unknown-schema-id", null, b);
    }
    // a huge length where the request_id's length is
    for (long len : new long[] {Integer.MAX_VALUE - 8L, Integer.MAX_VALUE, 1L << 40, -7}) {
      byte[] prefix = {0, 0, 0, 0, 1, 2}; // framing, schema id 1, union branch string
      dead("huge-length", null, concat(prefix, zigZag(len), randomBytes(32)));
    }
  }

  /** Valid requests truncated, bit-flipped and with random bytes in them. */
  private void mutations() {
    for (int i = 0; i < 150; i++) {
      Request r = request("mut-" + i, "mut-session-" + (i % 20), "mutate me " + i);
      if (i % 3 == 0) {
        r.setParams(new RequestParams(0.5, 64, 0.9, List.of("x"), 7L, Map.of()));
      }
      byte[] b = encode(r);
      String kind;
      switch (i % 3) {
        case 0 -> {
          kind = "truncated";
          b = java.util.Arrays.copyOf(b, 5 + random.nextInt(b.length - 5));
        }
        case 1 -> {
          kind = "bit-flipped";
          for (int f = 1 + random.nextInt(3); f > 0; f--) {
            int at = 5 + random.nextInt(b.length - 5);
            b[at] ^= (byte) (1 << random.nextInt(8));
          }
        }
        default -> {
          kind = "random-in-avro";
          int at = 5 + random.nextInt(b.length - 5);
          b = concat(java.util.Arrays.copyOf(b, at), randomBytes(1 + random.nextInt(6)));
        }
      }
      classify(kind, b);
    }
  }

  /** Decodes {@code b} as the gateway does: unreadable is a dead letter, readable a response. */
  private void classify(String kind, byte[] b) {
    Request r;
    try {
      r = SERDE.deserialize(TOPIC, b);
    } catch (SerializationException e) {
      dead(kind, null, b);
      return;
    }
    String id = r.getRequestId();
    if (id == null || id.isBlank() || id.length() > 512 || !ids.add(id)) {
      return; // a response that could not be told apart: not sent
    }
    String session = r.getSessionId();
    byte[] key = session != null && session.length() <= 512 ? utf8(session) : null;
    bad.add(new Item(kind + "-readable", key, b, Expect.ANSWERED, null, id));
  }

  private void rejected(String kind, String code, Consumer<Request> change) {
    String id = "bad-" + (n++) + "-" + kind;
    Request r = request(id, "bad-session-" + (n % 7), "x");
    change.accept(r);
    String echoed = r.getRequestId() == null || r.getRequestId().length() > 512 ? null : id;
    String session = r.getSessionId();
    byte[] key = session != null && session.length() <= 512 ? utf8(session) : null;
    ids.add(id);
    bad.add(new Item(kind, key, encode(r), Expect.REJECTED, code, echoed));
  }

  /** One request per rule of ingest's validation. */
  private void invalidFields() {
    String invalid = "invalid_request";
    rejected("no-request-id", invalid, r -> r.setRequestId(null));
    rejected("blank-session", invalid, r -> r.setSessionId(" "));
    rejected("no-model", invalid, r -> r.setModel(null));
    rejected("no-messages", invalid, r -> r.setMessages(new ArrayList<>()));
    rejected("bad-role", invalid, r -> r.getMessages().add(msg("robot", "beep")));
    rejected("tool-without-call-id", invalid, r -> r.getMessages().add(msg("tool", "4")));
    rejected("priority-10", invalid, r -> r.setPriority(10));
    rejected("priority-negative", invalid, r -> r.setPriority(-1));
    rejected("timeout-0", invalid, r -> r.setTimeoutMs(0L));
    rejected("temperature-7.5", invalid, r -> r.setParams(params(7.5, null, null)));
    rejected("temperature-negative", invalid, r -> r.setParams(params(-1.0, null, null)));
    rejected("temperature-nan", invalid, r -> r.setParams(params(Double.NaN, null, null)));
    rejected("top-p-1.5", invalid, r -> r.setParams(params(null, 1.5, null)));
    rejected("max-tokens-negative", invalid, r -> r.setParams(params(null, null, -3)));
    rejected("max-tokens-0", invalid, r -> r.setParams(params(null, null, 0)));
    List<ToolSpec> many = new ArrayList<>();
    for (int i = 0; i < 129; i++) {
      many.add(new ToolSpec("t" + i, "", "{}"));
    }
    rejected("129-tools", invalid, r -> r.setTools(many));
    rejected("blank-tool-name", invalid, r -> r.setTools(List.of(new ToolSpec(" ", "", "{}"))));
    String longName = "n".repeat(65);
    rejected("long-tool-name", invalid, r -> r.setTools(List.of(new ToolSpec(longName, "", "{}"))));
    for (String json : List.of("[1]", "{", "", "\"object\"", "{} {}", "[".repeat(5_000))) {
      rejected("parameters-" + json.length(), invalid, r -> r.setTools(List.of(tool(json))));
    }
    rejected("2049-messages", invalid, r -> r.setMessages(messages(2_049, "m")));
    rejected("10000-messages", invalid, r -> r.setMessages(messages(10_000, "history turn")));
    String huge = "h".repeat(513);
    rejected("long-request-id", invalid, r -> r.setRequestId(huge));
    rejected("long-session-id", invalid, r -> r.setSessionId(huge));
    rejected("long-tenant-id", invalid, r -> r.setTenantId(huge));
    rejected("long-model", invalid, r -> r.setModel(huge));
    rejected("900k-request-id", invalid, r -> r.setRequestId("i".repeat(900_000)));
    rejected("900k-temperature-7.5", invalid, r -> huge900k(r).setParams(params(7.5, null, null)));
    rejected("unknown-model", "unknown_model", r -> r.setModel("gpt-17"));
    rejected("unknown-direct-provider", "unknown_model", r -> r.setModel("nope/model"));
  }

  /** Valid but extreme: 900 KB, 2,000 messages, deep unicode, NUL bytes. */
  private void largeAndStrange() {
    answered("900k-message", huge900k(request("huge-900k", "huge-session", "")));
    Request longHistory = request("two-thousand-messages", "long-history-session", "");
    longHistory.setMessages(messages(2_000, "turn"));
    longHistory.setUseHistory(false);
    answered("2000-messages", longHistory);
    String deep =
        "e\u0301".repeat(2_000)
            + "\ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67".repeat(500)
            + "\u202e\u2066\u0000\u0000\ufeff\uffff\ud800"
            + "\u0000".repeat(1_000)
            + "\ud834\udd1e".repeat(1_000);
    answered("deep-unicode", request("unicode-1", "unicode-session", deep));
    answered("nul-bytes", request("nul-\u0000-id", "nul\u0000session", "\u0000a\u0000b\u0000"));
    answered("unicode-ids", request("\u00e9\ud83d\ude00-id", "\u202e\u00e9-session", "hi"));
  }

  private void answered(String kind, Request r) {
    ids.add(r.getRequestId());
    bad.add(
        new Item(kind, utf8(r.getSessionId()), encode(r), Expect.ANSWERED, null, r.getRequestId()));
  }

  private static Request huge900k(Request r) {
    r.setMessages(new ArrayList<>(List.of(msg("user", "x".repeat(900_000)))));
    return r;
  }

  private static ChatMessage msg(String role, String content) {
    return new ChatMessage(role, content, null, null, List.of());
  }

  private static List<ChatMessage> messages(int count, String text) {
    List<ChatMessage> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(msg(i % 2 == 0 ? "user" : "assistant", text + " " + i));
    }
    if (count % 2 == 0) {
      out.add(msg("user", "last"));
    }
    return out;
  }

  private static RequestParams params(Double temperature, Double topP, Integer maxTokens) {
    return new RequestParams(temperature, maxTokens, topP, List.of(), null, Map.of());
  }

  private static ToolSpec tool(String parametersJson) {
    return new ToolSpec("calc", "", parametersJson);
  }

  private static byte[] concat(byte[]... parts) {
    int len = 0;
    for (byte[] p : parts) {
      len += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(len);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  private static byte[] zigZag(long v) {
    long z = (v << 1) ^ (v >> 63);
    ByteBuffer b = ByteBuffer.allocate(10);
    while ((z & ~0x7FL) != 0) {
      b.put((byte) ((z & 0x7F) | 0x80));
      z >>>= 7;
    }
    b.put((byte) z);
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }
}
