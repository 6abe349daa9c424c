package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TraceSpan;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** PII redaction at ingest, for requests produced straight to Kafka. */
class PiiIngestTest {
  private static final Pattern EMAIL_PLACEHOLDER = Pattern.compile("\\[EMAIL_[0-9a-f]{8}]");
  private static final String CONFIG =
      TopologyFixture.CONFIG
          + """
          cache: {enabled: true}
          guardrails:
            pii: {mode: mask, key: test-key, custom: {ticket: "TCK-\\\\d{4}"}}
          tenants:
            acme: {models: ["*"]}
            strict: {models: ["*"], guardrails: {pii: {mode: block}}}
            open: {models: ["*"], guardrails: {pii: {mode: "off"}}}
          """;

  private TopologyFixture t;

  @AfterEach
  void close() {
    if (t != null) {
      t.close();
    }
  }

  private static String sent(DispatchJob job) {
    return job.messages().stream().map(ChatMessage::getContent).collect(Collectors.joining("\n"));
  }

  @Test
  void shouldSendTheProviderOnlyPlaceholdersAndKeepTheHistoryMaskedAlikeAcrossTurns() {
    // Given the global mode mask
    t = new TopologyFixture(CONFIG, TopologyFixture.SETTINGS);
    // When a Kafka producer sends a turn with an e-mail address and a ticket number
    t.send(TopologyFixture.request("r1", "s1", "I am alice@example.com about TCK-1234"));
    DispatchJob first = t.dispatcher.last();
    // Then the provider is asked with placeholders only
    assertThat(sent(first))
        .doesNotContain("alice@example.com", "TCK-1234")
        .containsPattern(EMAIL_PLACEHOLDER)
        .contains("[TICKET_");
    String alice =
        EMAIL_PLACEHOLDER.matcher(sent(first)).results().findFirst().orElseThrow().group();
    t.complete(first, "Hello " + alice);
    // When the next turn names alice again and bob
    t.send(
        TopologyFixture.request("r2", "s1", "forward it to bob@example.org and alice@example.com"));
    DispatchJob second = t.dispatcher.last();
    // Then the history and the new turn use alice's one placeholder, bob has another
    List<String> turns = second.messages().stream().map(ChatMessage::getContent).toList();
    assertThat(turns).hasSize(3);
    assertThat(turns.get(0)).contains(alice);
    assertThat(turns.get(1)).isEqualTo("Hello " + alice);
    assertThat(turns.get(2)).contains(alice).doesNotContain("@example");
    assertThat(turns.get(2).replace(alice, "")).containsPattern(EMAIL_PLACEHOLDER);
    // and no span, response or cache entry carries an original; the spans carry counts
    t.complete(second, "done");
    List<TraceSpan> spans = t.traces.readValuesToList();
    String everything =
        spans.toString() + t.responses.readValuesToList() + t.cache.readValuesToList();
    assertThat(everything).doesNotContain("alice@", "bob@", "TCK-1234");
    assertThat(spans)
        .anySatisfy(s -> assertThat(s.getAttributes()).containsEntry("meta.sluice.pii.email", "2"));
    // and the metric counts per entity type
    assertThat(t.registry.find("sluice.pii.detected").tag("entity", "email").counter().count())
        .isEqualTo(3.0);
  }

  @Test
  void shouldRejectWithPiiDetectedWhenTheTenantBlocksNamingTypesNotValues() {
    t = new TopologyFixture(CONFIG, TopologyFixture.SETTINGS);
    Request r = TopologyFixture.request("r1", "s1", "card 4111 1111 1111 1111, mail a@example.com");
    r.setTenantId("strict");
    t.send(r);
    Response response = t.responses.readValue();
    assertThat(response.getStatus()).isEqualTo(ResponseStatus.REJECTED);
    assertThat(response.getError().getCode()).isEqualTo("pii_detected");
    assertThat(response.getError().getMessage())
        .contains("credit_card", "email")
        .doesNotContain("4111", "a@example.com");
    assertThat(t.dispatcher.jobs).isEmpty();
  }

  @Test
  void shouldLetATenantTurnRedactionOffAndOthersKeepTheGlobalMode() {
    t = new TopologyFixture(CONFIG, TopologyFixture.SETTINGS);
    Request open = TopologyFixture.request("r1", "s1", "I am alice@example.com");
    open.setTenantId("open");
    t.send(open);
    assertThat(sent(t.dispatcher.last())).contains("alice@example.com");
    t.send(TopologyFixture.request("r2", "s2", "I am alice@example.com"));
    assertThat(sent(t.dispatcher.last())).doesNotContain("alice@example.com");
  }

  @Test
  void shouldMaskAToolsResultBeforeItGoesBackToTheModel() {
    // Given tools on and a request whose model asks for one
    t =
        new TopologyFixture(
            CONFIG + "tools: {timeout_ms: 1000, max_rounds: 2}\n", TopologyFixture.SETTINGS);
    Request r = TopologyFixture.request("r1", "s1", "look up the customer");
    r.setTools(List.of(new io.sluice.events.ToolSpec("crm", "", "{}")));
    t.send(r);
    t.askForTools(t.dispatcher.last(), java.util.Map.of("crm", "c1"));
    // When the tool answers with an e-mail address
    t.toolResults.pipeInput(
        "s1",
        new io.sluice.events.ToolResult(
            "r1", "s1", "c1", "crm", "owner: carol@example.net", false, 1));
    // Then the model is sent its placeholder
    assertThat(sent(t.dispatcher.last()))
        .doesNotContain("carol@example.net")
        .containsPattern(EMAIL_PLACEHOLDER);
  }

  @Test
  void shouldChangeNothingWithoutGuardrails() {
    t = new TopologyFixture();
    t.send(TopologyFixture.request("r1", "s1", "I am alice@example.com"));
    assertThat(sent(t.dispatcher.last())).isEqualTo("I am alice@example.com");
    assertThat(new ArrayList<>(t.dispatcher.jobs)).hasSize(1);
  }
}
