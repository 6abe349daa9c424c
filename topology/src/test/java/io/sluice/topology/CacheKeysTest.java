package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.ToolInvocation;
import io.sluice.events.ToolSpec;
import io.sluice.schema.AvroTrust;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CacheKeysTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static {
    AvroTrust.install(); // the builders below use Sluice's generated classes; no serde runs here
  }

  @Test
  void givenRandomRequests_whenKeyed_thenEachKeyIsTheOneTheTreeBasedKeyGave() throws Exception {
    Random random = new Random(19);
    for (int i = 0; i < 2_000; i++) {
      Request r = request(random);
      boolean perTenant = random.nextBoolean();

      String key = CacheKeys.of(r, r.getMessages(), perTenant);

      assertThat(key).isEqualTo(treeKey(r, r.getMessages(), perTenant));
    }
  }

  @Test
  void givenTwoRequestsThatDifferOnlyInIdsAndMetadata_whenKeyed_thenTheKeysAreEqual() {
    Random random = new Random(3);
    Request a = request(random);
    Request b =
        Request.newBuilder(a)
            .setRequestId("other")
            .setSessionId("other-session")
            .setMetadata(Map.of("k", "v"))
            .setPriority(9)
            .build();

    assertThat(CacheKeys.of(b, b.getMessages(), true))
        .isEqualTo(CacheKeys.of(a, a.getMessages(), true));
  }

  @Test
  void givenAStopSequenceMore_whenKeyed_thenTheKeyDiffers() {
    Request a = request(new Random(5));
    RequestParams p =
        a.getParams() == null
            ? RequestParams.newBuilder().build()
            : RequestParams.newBuilder(a.getParams()).build();
    List<String> stop = new ArrayList<>(p.getStop());
    stop.add("END");
    Request b =
        Request.newBuilder(a).setParams(RequestParams.newBuilder(p).setStop(stop).build()).build();

    assertThat(CacheKeys.of(b, b.getMessages(), false))
        .isNotEqualTo(CacheKeys.of(a, a.getMessages(), false));
  }

  /** The key as the earlier CacheKeys computed it: a Jackson tree, its string, its UTF-8 bytes. */
  private static String treeKey(Request r, List<ChatMessage> messages, boolean perTenant)
      throws Exception {
    ObjectNode root = MAPPER.createObjectNode();
    root.put(
        "scope",
        perTenant ? "tenant:" + (r.getTenantId() == null ? "" : r.getTenantId()) : "global");
    root.put("model", r.getModel());
    ArrayNode ms = root.putArray("messages");
    for (ChatMessage m : messages) {
      ArrayNode a =
          ms.addArray()
              .add(m.getRole())
              .add(m.getContent())
              .add(m.getToolCallId())
              .add(m.getName());
      ArrayNode calls = a.addArray();
      for (ToolInvocation t : m.getToolCalls()) {
        calls.addArray().add(t.getId()).add(t.getName()).add(t.getArgumentsJson());
      }
    }
    RequestParams p = r.getParams();
    if (p != null) {
      ObjectNode params = root.putObject("params");
      params.put("temperature", p.getTemperature());
      params.put("max_tokens", p.getMaxTokens());
      params.put("top_p", p.getTopP());
      params.put("seed", p.getSeed());
      ArrayNode stop = params.putArray("stop");
      p.getStop().forEach(stop::add);
      params.set("extra", MAPPER.valueToTree(new TreeMap<>(p.getExtra())));
    }
    ArrayNode tools = root.putArray("tools");
    for (ToolSpec t : r.getTools()) {
      tools.addArray().add(t.getName()).add(t.getDescription()).add(t.getParametersJson());
    }
    byte[] digest =
        MessageDigest.getInstance("SHA-256")
            .digest(root.toString().getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest);
  }

  // text with escapes, non-ASCII, a surrogate pair and a lone surrogate
  private static final String[] PIECES = {
    "a", "Z ", "0", "\"", "\\", "\n", "\t", "\u0001", "é", "€", "\uD834\uDD1E", "\uD800", "{}", "/"
  };

  private static String text(Random random) {
    StringBuilder b = new StringBuilder();
    for (int i = random.nextInt(10); i > 0; i--) {
      b.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return b.toString();
  }

  private static String maybe(Random random) {
    return random.nextInt(3) == 0 ? null : text(random);
  }

  private static Request request(Random random) {
    List<ChatMessage> messages = new ArrayList<>();
    for (int i = random.nextInt(4) + 1; i > 0; i--) {
      List<ToolInvocation> calls = new ArrayList<>();
      for (int j = random.nextInt(3); j > 0; j--) {
        calls.add(new ToolInvocation(text(random), text(random), text(random)));
      }
      messages.add(
          new ChatMessage(text(random), text(random), maybe(random), maybe(random), calls));
    }
    RequestParams params = null;
    if (random.nextInt(4) > 0) {
      Map<String, String> extra = new HashMap<>();
      for (int j = random.nextInt(4); j > 0; j--) {
        extra.put(text(random), text(random));
      }
      List<String> stop = new ArrayList<>();
      for (int j = random.nextInt(3); j > 0; j--) {
        stop.add(text(random));
      }
      params =
          RequestParams.newBuilder()
              .setTemperature(random.nextBoolean() ? null : random.nextInt(3) * 0.35)
              .setMaxTokens(random.nextBoolean() ? null : random.nextInt(5000))
              .setTopP(random.nextBoolean() ? null : random.nextDouble())
              .setSeed(random.nextBoolean() ? null : random.nextLong())
              .setStop(stop)
              .setExtra(extra)
              .build();
    }
    List<ToolSpec> tools = new ArrayList<>();
    for (int j = random.nextInt(3); j > 0; j--) {
      tools.add(new ToolSpec(text(random), text(random), text(random)));
    }
    return Request.newBuilder()
        .setRequestId("r")
        .setSessionId("s")
        .setTenantId(maybe(random))
        .setModel(maybe(random))
        .setMessages(messages)
        .setParams(params)
        .setTools(tools)
        .setPriority(0)
        .setUseHistory(false)
        .setMetadata(Map.of())
        .setStream(false)
        .build();
  }
}
