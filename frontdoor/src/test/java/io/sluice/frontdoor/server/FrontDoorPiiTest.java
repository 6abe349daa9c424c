package io.sluice.frontdoor.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.frontdoor.support.DoorHarness;
import io.sluice.frontdoor.wire.OpenAiWire;
import io.sluice.frontdoor.wire.StreamEncoder;
import io.sluice.frontdoor.wire.WireCall;
import io.sluice.guardrails.PiiGuard;
import io.sluice.guardrails.PiiGuards;
import io.sluice.guardrails.PiiMode;
import io.sluice.guardrails.PiiPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The front door masks before it produces, refuses in block mode, and restores what it holds. */
class FrontDoorPiiTest {
  private static final String CHAT =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":"
          + "\"I am alice@example.com, card 4111 1111 1111 1111\"}]}";

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private DoorHarness door;

  @AfterEach
  void stop() {
    if (door != null) {
      door.close();
    }
  }

  private static PiiGuard guard(PiiMode mode, boolean restore) {
    return new PiiPolicy(mode, null, null, restore, null, "k").compile();
  }

  private void start(PiiGuards pii) throws Exception {
    door = new DoorHarness(DoorHarness.settings(10, 1 << 20, Duration.ofSeconds(5)), pii);
    // the fake gateway echoes what it was sent, as a model repeating the user would
    door.sink.then = r -> door.waiters.response(DoorHarness.ok(r, "You said: " + text(r)));
  }

  private static String text(Request r) {
    return String.join(" ", r.getMessages().stream().map(ChatMessage::getContent).toList());
  }

  private HttpResponse<String> post(String tenant) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(door.url() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(10))
            .header("content-type", "application/json")
            .header("x-sluice-tenant", tenant)
            .POST(HttpRequest.BodyPublishers.ofString(CHAT))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldProduceOnlyPlaceholdersAndGiveTheClientTheOriginalsBackWithRestore() throws Exception {
    // Given mask with restore for everyone
    start(new PiiGuards(guard(PiiMode.MASK, true), Map.of()));
    // When a client sends personal data
    HttpResponse<String> r = post("acme");
    // Then the produced request holds placeholders only
    assertThat(door.sink.sent).hasSize(1);
    assertThat(text(door.sink.sent.get(0)))
        .doesNotContain("alice@example.com", "4111")
        .contains("[EMAIL_", "[CREDIT_CARD_");
    // and the client reads its own values in the answer
    assertThat(r.statusCode()).isEqualTo(200);
    String content = new ObjectMapper().readTree(r.body()).path("content").asText();
    assertThat(content).isEqualTo("You said: I am alice@example.com, card 4111 1111 1111 1111");
    assertThat(door.meters.find("sluice.pii.detected").tag("entity", "email").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void shouldAnswerWithPlaceholdersWithoutRestoreAndApplyATenantsOwnMode() throws Exception {
    // Given mask without restore, and a tenant that blocks
    start(new PiiGuards(guard(PiiMode.MASK, false), Map.of("bank", guard(PiiMode.BLOCK, false))));
    // When acme sends, the answer keeps the placeholders
    String content = new ObjectMapper().readTree(post("acme").body()).path("content").asText();
    assertThat(content).contains("[EMAIL_").doesNotContain("alice@");
    // When the bank sends, it is refused with pii_detected naming the types, and nothing is sent
    HttpResponse<String> refused = post("bank");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body())
        .contains("pii_detected", "credit_card", "email")
        .doesNotContain("alice", "4111");
    assertThat(door.sink.sent).hasSize(1);
  }

  @Test
  void shouldRestoreAStreamedAnswerWhoseChunksSplitAPlaceholder() {
    // Given a masked request and the real OpenAI stream encoder
    PiiGuard g = guard(PiiMode.MASK, true);
    var out =
        g.apply(
            Request.newBuilder()
                .setRequestId("req-1")
                .setSessionId("req-1")
                .setTenantId("t")
                .setModel("m")
                .setMessages(
                    List.of(
                        ChatMessage.newBuilder()
                            .setRole("user")
                            .setContent("mail bob@example.org")
                            .build()))
                .setPriority(5)
                .setUseHistory(false)
                .setMetadata(Map.of())
                .setStream(true)
                .build());
    String p = text(out.request()).substring("mail ".length());
    RestoringReplies restore = new RestoringReplies(out.redaction());
    StreamEncoder enc =
        new OpenAiWire()
            .stream(
                new WireCall("m", List.of(), null, List.of(), true, false, null, Map.of()),
                "req-1");
    // When the provider's answer arrives cut inside the placeholder
    StringBuilder wire = new StringBuilder();
    wire.append(utf8(enc.start()));
    wire.append(utf8(enc.chunk(restore.chunk(chunk(0, "Sent to " + p.substring(0, 4))))));
    wire.append(utf8(enc.chunk(restore.chunk(chunk(1, p.substring(4) + " and [")))));
    Response end = DoorHarness.ok(out.request(), "Sent to " + p + " and [");
    wire.append(utf8(enc.end(restore.response(end))));
    // Then the client reads the original, whole, and nothing of the placeholder
    assertThat(wire.toString()).contains("bob@example.org").doesNotContain(p.substring(1, 6));
    assertThat(streamedContent(wire.toString())).isEqualTo("Sent to bob@example.org and [");
  }

  /** What an OpenAI client accumulates from the stream's content deltas. */
  private static String streamedContent(String sse) {
    StringBuilder sb = new StringBuilder();
    ObjectMapper json = new ObjectMapper();
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: {")) {
        try {
          for (var c : json.readTree(line.substring(6)).path("choices")) {
            sb.append(c.path("delta").path("content").asText(""));
          }
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
    return sb.toString();
  }

  private static ResponseChunk chunk(int index, String delta) {
    return ResponseChunk.newBuilder()
        .setRequestId("req-1")
        .setSessionId("req-1")
        .setIndex(index)
        .setDeltaContent(delta)
        .build();
  }

  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
