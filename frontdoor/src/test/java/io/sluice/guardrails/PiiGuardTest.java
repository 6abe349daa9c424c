package io.sluice.guardrails;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.ToolInvocation;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The modes, restore, and consistent placeholders across the turns of a session. */
class PiiGuardTest {
  static {
    io.sluice.schema.AvroTrust.install();
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("\\[[A-Z_]+_[0-9a-f]{8}]");

  private static PiiGuard guard(PiiMode mode, String key) {
    return new PiiPolicy(mode, null, Map.of("ticket", "TCK-\\d{4}"), true, "US", key).compile();
  }

  private static Request request(String... userTurns) {
    return Request.newBuilder()
        .setRequestId("r1")
        .setSessionId("s1")
        .setTenantId("acme")
        .setModel("m")
        .setMessages(
            java.util.Arrays.stream(userTurns)
                .map(t -> ChatMessage.newBuilder().setRole("user").setContent(t).build())
                .toList())
        .setPriority(5)
        .setUseHistory(true)
        .setMetadata(Map.of())
        .setStream(false)
        .build();
  }

  private static String text(Request r) {
    return String.join("\n", r.getMessages().stream().map(ChatMessage::getContent).toList());
  }

  @Test
  void shouldMaskEveryEntityWithTypedPlaceholdersTheSameValueAlike() {
    // Given a request with one of each entity, a card written twice in two ways
    Request r =
        request(
            "I am alice@example.com, +1 415 555 2671, card 4111 1111 1111 1111,"
                + " IBAN DE89 3704 0044 0532 0130 00, from 10.1.2.3, ID 11010519491231002X,"
                + " ticket TCK-1234; again: 4111111111111111");
    // When it is masked
    PiiOutcome out = guard(PiiMode.MASK, "k").apply(r);
    // Then no original is left, each is a typed placeholder, and both card forms share one
    String masked = text(out.request());
    assertThat(masked)
        .doesNotContain(
            "alice@", "555", "4111", "DE89", "10.1.2.3", "11010519491231002X", "TCK-1234")
        .contains(
            "[EMAIL_", "[PHONE_", "[CREDIT_CARD_", "[IBAN_", "[IP_ADDRESS_", "[CN_RESIDENT_ID_")
        .contains("[TICKET_");
    List<String> cards =
        PLACEHOLDER
            .matcher(masked)
            .results()
            .map(m -> m.group())
            .filter(p -> p.startsWith("[CREDIT"))
            .toList();
    assertThat(cards).hasSize(2).containsOnly(cards.get(0));
    assertThat(out.counts())
        .containsEntry("credit_card", 2)
        .containsEntry("email", 1)
        .containsEntry("ticket", 1);
    // and the counts, never the values, travel in the metadata (into the spans)
    assertThat(out.request().getMetadata())
        .containsEntry("sluice.pii.credit_card", "2")
        .containsEntry("sluice.pii.email", "1");
    assertThat(out.blocked()).isFalse();
  }

  @Test
  void shouldMaskToolCallArgumentsAndMetadataValues() {
    Request r = request("hi");
    r.setMessages(
        List.of(
            ChatMessage.newBuilder()
                .setRole("assistant")
                .setContent("")
                .setToolCalls(
                    List.of(
                        ToolInvocation.newBuilder()
                            .setId("c1")
                            .setName("mail")
                            .setArgumentsJson("{\"to\":\"bob@example.org\"}")
                            .build()))
                .build()));
    r.setMetadata(Map.of("user", "carol@example.net"));
    PiiOutcome out = guard(PiiMode.MASK, "k").apply(r);
    assertThat(out.request().getMessages().get(0).getToolCalls().get(0).getArgumentsJson())
        .startsWith("{\"to\":\"[EMAIL_")
        .doesNotContain("bob@");
    assertThat(out.request().getMetadata().get("user")).startsWith("[EMAIL_");
  }

  @Test
  void shouldGiveTheSameValueTheSamePlaceholderInEveryTurnOfASession() {
    // Given turn 1 masked by one guard (say, the front door) ...
    String turn1 =
        text(guard(PiiMode.MASK, "k").apply(request("I am alice@example.com")).request());
    // ... and turn 2 by another instance with the same key, naming alice again and bob
    String turn2 =
        text(
            guard(PiiMode.MASK, "k")
                .apply(request("bob@example.org wrote to alice@example.com"))
                .request());
    String alice = PLACEHOLDER.matcher(turn1).results().findFirst().orElseThrow().group();
    // Then alice has one placeholder in both turns, and bob another one
    assertThat(turn2).contains(alice);
    assertThat(turn2.replace(alice, "")).containsPattern(PLACEHOLDER);
    // and masking the masked history again changes nothing (a client resending it all)
    assertThat(text(guard(PiiMode.MASK, "k").apply(request(turn1, turn2)).request()))
        .isEqualTo(turn1 + "\n" + turn2);
    // while another key gives other placeholders (they cannot be guessed without it)
    assertThat(
            text(guard(PiiMode.MASK, "other").apply(request("I am alice@example.com")).request()))
        .doesNotContain(alice);
  }

  @Test
  void shouldBlockNamingTheEntityTypesAndNeverTheValues() {
    PiiOutcome out =
        guard(PiiMode.BLOCK, "k").apply(request("mail alice@example.com, card 4111111111111111"));
    assertThat(out.blocked()).isTrue();
    assertThat(out.message()).contains("credit_card", "email").doesNotContain("alice", "4111");
    assertThat(PiiOutcome.CODE).isEqualTo("pii_detected");
    // a clean request passes
    assertThat(guard(PiiMode.BLOCK, "k").apply(request("hello")).blocked()).isFalse();
  }

  @Test
  void shouldPassTheRequestUntouchedWhenOffOrNothingIsFound() {
    Request r = request("alice@example.com");
    assertThat(PiiGuard.OFF.apply(r).request()).isSameAs(r);
    Request clean = request("nothing personal");
    assertThat(guard(PiiMode.MASK, "k").apply(clean).request()).isSameAs(clean);
  }

  @Test
  void shouldRestoreTheOriginalsOfThisRequestOnly() {
    // Given a masked request and an answer that repeats its placeholder and an older one
    PiiOutcome out = guard(PiiMode.MASK, "k").apply(request("card 4111 1111 1111 1111"));
    String p = PLACEHOLDER.matcher(text(out.request())).results().findFirst().orElseThrow().group();
    String answer = "Charged " + p + " (not [EMAIL_0badc0de]) [x] [" + p;
    // Then its own comes back as the client wrote it, the other stays
    assertThat(out.redaction().restore(answer))
        .isEqualTo("Charged 4111 1111 1111 1111 (not [EMAIL_0badc0de]) [x] [4111 1111 1111 1111");
    assertThat(guard(PiiMode.MASK, "k").restores()).isTrue();
    assertThat(guard(PiiMode.BLOCK, "k").restores()).isFalse();
  }

  @Test
  void shouldRestoreAPlaceholderSplitBetweenStreamedChunks() {
    PiiOutcome out = guard(PiiMode.MASK, "k").apply(request("alice@example.com"));
    String p = PLACEHOLDER.matcher(text(out.request())).results().findFirst().orElseThrow().group();
    StreamRestorer s = new StreamRestorer(out.redaction());
    StringBuilder client = new StringBuilder();
    client.append(s.next("Hello " + p.substring(0, 5)));
    client.append(s.next(p.substring(5) + ", a [note"));
    client.append(s.next(" here"));
    client.append(s.next(" [EM"));
    client.append(s.finish());
    assertThat(client.toString()).isEqualTo("Hello alice@example.com, a [note here [EM");
  }

  @Test
  void shouldNameTheKeyOfABadSetting() {
    assertThat(
            new PiiPolicy(PiiMode.MASK, null, Map.of("ticket", "TCK-(\\d"), false, null, null)
                .problem())
        .hasValueSatisfying(p -> assertThat(p).startsWith("custom.ticket: not a valid regex"));
    assertThat(new PiiPolicy(PiiMode.MASK, null, Map.of("t", "x*"), false, null, null).problem())
        .hasValueSatisfying(p -> assertThat(p).contains("empty string"));
    assertThat(
            new PiiPolicy(PiiMode.MASK, null, Map.of("Bad-Name", "x"), false, null, null).problem())
        .hasValueSatisfying(p -> assertThat(p).startsWith("custom.Bad-Name:"));
    assertThat(
            new PiiPolicy(PiiMode.MASK, List.of("email", "ssn"), null, false, null, null).problem())
        .hasValueSatisfying(
            p -> assertThat(p).startsWith("entities[1]: unknown entity type 'ssn'"));
    assertThat(new PiiPolicy(PiiMode.MASK, null, null, false, "XX", null).problem())
        .hasValueSatisfying(p -> assertThat(p).startsWith("phone_region:"));
    assertThat(
            new PiiPolicy(
                    PiiMode.MASK, List.of("email", "t"), Map.of("t", "T\\d+"), false, "CN", "k")
                .problem())
        .isEmpty();
  }

  @Test
  void shouldLookOnlyForTheEntitiesListed() {
    PiiGuard emailOnly =
        new PiiPolicy(PiiMode.MASK, List.of("email"), null, false, null, "k").compile();
    String masked = text(emailOnly.apply(request("alice@example.com 4111111111111111")).request());
    assertThat(masked).startsWith("[EMAIL_").endsWith(" 4111111111111111");
  }
}
