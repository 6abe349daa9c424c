package io.sluice.topology;

import io.sluice.config.SluiceConfig;
import io.sluice.events.CacheMode;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.ToolInvocation;
import io.sluice.events.ToolSpec;
import io.sluice.routing.ModelCatalog;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The ingest path up to keying, as {@link IngestSupplier} runs it on a record's value: prefetch of
 * the writer schema, {@link ConfluentAvroSerde#deserialize} (a {@link SerializationException} is a
 * dead letter, the only exception ingest handles), then {@link RequestValidator#validate}.
 */
final class IngestFuzzTarget implements FuzzTarget {
  static final String TOPIC = "llm.requests";

  private final CatalogSchemaRegistry registry = CatalogSchemaRegistry.bundled();
  private final ConfluentAvroSerde<Request> serde =
      ConfluentAvroSerde.forValues(Request.class, registry);
  private final Schema evolved = EvolvedRequests.schema("fuzz_extra");
  private final int evolvedId = registry.register(TOPIC + "-value", evolved);

  /** A compatible evolution a producer may register: a recursive optional field (a list). */
  private final Schema recursive = withRecursiveTail();

  private final int recursiveId = registry.register(TOPIC + "-value", recursive);
  private final RequestValidator validator;

  IngestFuzzTarget() {
    SluiceConfig config = SluiceConfig.parse(TopologyFixture.CONFIG, "fuzz.yaml", Map.of());
    validator = new RequestValidator(ModelCatalog.from(config), Map.of(), RequestLimits.defaults());
    serde.register(TOPIC);
  }

  @Override
  public String name() {
    return "ingest";
  }

  @Override
  public String run(byte[] input) {
    CompletableFuture<Void> ready = serde.prefetch(input);
    if (!ready.isDone() || ready.isCompletedExceptionally()) {
      return "held"; // the bundled catalog always answers at once; a registry might not
    }
    Request request;
    try {
      request = serde.deserialize(TOPIC, input);
    } catch (SerializationException e) {
      String m = String.valueOf(e.getMessage());
      return m.contains("nested too deeply") ? "dead-letter:too-deep" : "dead-letter";
    }
    if (request == null) {
      return "dead-letter:empty";
    }
    return validator.validate(request).map(r -> "rejected:" + r.code()).orElse("accepted");
  }

  @Override
  public List<byte[]> seeds() {
    List<byte[]> seeds = new ArrayList<>();
    seeds.add(encode(TopologyFixture.request("r1", "s1", "hello")));
    seeds.add(encode(full()));
    Request unicode = TopologyFixture.request("r3", "s\u00e9", "\u0000\ud83d\ude00\u202e\uffff");
    unicode.setUseHistory(false);
    seeds.add(encode(unicode));
    Request empty = TopologyFixture.request("r4", "s4", "");
    empty.setMessages(new ArrayList<>());
    seeds.add(encode(empty));
    seeds.add(EvolvedRequests.framed(evolvedId, evolved, full()));
    // a request written with the recursive schema, its tail 16 nodes deep (then null)
    byte[] plain = encode(TopologyFixture.request("r5", "s5", "nested"));
    byte[] nested = Arrays.copyOf(plain, plain.length + 17);
    ByteBuffer.wrap(nested, 1, 4).putInt(recursiveId);
    Arrays.fill(nested, plain.length, plain.length + 16, (byte) 2);
    seeds.add(nested);
    return seeds;
  }

  /** The Request schema plus {@code tail: ["null", Node]}, {@code Node} a linked-list node. */
  static Schema withRecursiveTail() {
    String request = Request.getClassSchema().toString();
    String tail =
        "{\"name\":\"tail\",\"default\":null,\"type\":[\"null\",{\"type\":\"record\","
            + "\"name\":\"Node\",\"fields\":[{\"name\":\"next\",\"type\":[\"null\",\"Node\"],"
            + "\"default\":null}]}]}";
    return new Schema.Parser()
        .parse(request.substring(0, request.lastIndexOf(']')) + "," + tail + "]}");
  }

  /** A request with every optional part set. */
  private static Request full() {
    Request r = TopologyFixture.request("r2", "s2", "what is 2+2?");
    r.getMessages()
        .add(
            new ChatMessage(
                "assistant", "", null, null, List.of(new ToolInvocation("c1", "calc", "{}"))));
    r.getMessages().add(new ChatMessage("tool", "4", "c1", "calc", List.of()));
    r.setParams(new RequestParams(0.5, 100, 0.9, List.of("\n\n"), 42L, Map.of("user", "\"u\"")));
    r.setTools(List.of(new ToolSpec("calc", "adds", "{\"type\":\"object\"}")));
    r.setPriority(9);
    r.setCache(CacheMode.BYPASS);
    r.setTimeoutMs(5_000L);
    r.setMetadata(Map.of("team", "search"));
    r.setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L));
    return r;
  }

  private byte[] encode(Request r) {
    return serde.serialize(TOPIC, r);
  }

  @Override
  public List<byte[]> tokens() {
    List<byte[]> tokens = new ArrayList<>();
    // schema ids: this one, the evolved one, other records', unknown and negative ones
    for (int id :
        new int[] {1, evolvedId, recursiveId, 2, 6, 9, 13, 99, 99_999, -1, Integer.MAX_VALUE}) {
      tokens.add(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
    }
    // Avro longs (zig-zag varints) that make lengths and counts huge or negative
    for (long v :
        new long[] {
          -1,
          -2,
          127,
          128,
          4_096,
          1L << 20,
          Integer.MAX_VALUE - 8,
          Integer.MAX_VALUE,
          1L << 40,
          Long.MAX_VALUE,
          Long.MIN_VALUE
        }) {
      tokens.add(zigZag(v));
    }
    tokens.add(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
    tokens.add(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01});
    return tokens;
  }

  /** {@code v} as Avro writes a long. */
  static byte[] zigZag(long v) {
    long n = (v << 1) ^ (v >> 63);
    ByteBuffer b = ByteBuffer.allocate(10);
    while ((n & ~0x7FL) != 0) {
      b.put((byte) ((n & 0x7F) | 0x80));
      n >>>= 7;
    }
    b.put((byte) n);
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }
}
