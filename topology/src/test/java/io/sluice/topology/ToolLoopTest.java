package io.sluice.topology;

import static io.sluice.topology.TopologyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.ToolCall;
import io.sluice.events.ToolResult;
import io.sluice.events.ToolSpec;
import io.sluice.events.TraceSpan;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ToolLoopTest {
  private static final SessionSettings SETTINGS =
      new SessionSettings(
          10,
          Duration.ofMinutes(5),
          Duration.ofHours(1),
          Duration.ofMinutes(5),
          Duration.ofMillis(100),
          false);
  private TopologyFixture t =
      new TopologyFixture(
          TopologyFixture.CONFIG + "tools: {timeout_ms: 1000, max_rounds: 2}\n", SETTINGS);

  @AfterEach
  void close() {
    t.close();
  }

  private static Request withTools(String id, String session) {
    Request r = request(id, session, "use the calculator and the clock");
    r.setTools(List.of(new ToolSpec("calculator", "", "{}"), new ToolSpec("clock", "", "{}")));
    return r;
  }

  private static Map<String, String> calls(String... nameThenId) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < nameThenId.length; i += 2) {
      m.put(nameThenId[i], nameThenId[i + 1]);
    }
    return m;
  }

  private void result(
      String requestId, String session, String callId, String name, String content) {
    t.toolResults.pipeInput(
        session, new ToolResult(requestId, session, callId, name, content, false, 1));
  }

  @Test
  void
      givenAToolResultTooLargeForTheRecordWhenItArrivesThenTheModelIsToldItWasDroppedAndTheRequestGoesOn() {
    // Given a request waiting for two tools
    t.send(withTools("r1", "s1"));
    t.askForTools(t.dispatcher.last(), calls("calculator", "c1", "clock", "c2"));

    // When one answers with 1.2 MB and the other normally
    result("r1", "s1", "c1", "calculator", "9".repeat(1_200_000));
    result("r1", "s1", "c2", "clock", "12:00");

    // Then the follow-up tells the model the large result was dropped, and the request is answered
    DispatchJob followUp = t.dispatcher.last();
    assertThat(followUp.messages().get(2).getContent())
        .startsWith("[the result of tool 'calculator' was ")
        .contains("kafka.max_record_bytes")
        .hasSizeLessThan(300);
    assertThat(followUp.messages().get(3).getContent()).isEqualTo("12:00");
    t.complete(followUp, "done");
    assertThat(t.responses.readValue().getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(
            t.traces.readValuesToList().stream()
                .filter(sp -> sp.getName().equals("tool.call"))
                .map(sp -> sp.getAttributes().get("is_error")))
        .containsExactly("true", "false");
  }

  @Test
  void shouldCallTheToolsParkTheSessionAndContinueWithTheResults() {
    t.send(withTools("r1", "s1"));
    t.send(request("r2", "s1", "next question"));
    t.askForTools(t.dispatcher.last(), calls("calculator", "c1", "clock", "c2"));

    List<ToolCall> sent = t.toolCalls.readValuesToList();
    assertThat(sent).extracting(ToolCall::getName).containsExactly("calculator", "clock");
    assertThat(sent).allSatisfy(c -> assertThat(c.getRound()).isEqualTo(1));
    assertThat(t.dispatcher.jobs).as("the session waits for the tools").hasSize(1);

    result("r1", "s1", "c1", "calculator", "42");
    assertThat(t.dispatcher.jobs).as("still one result missing").hasSize(1);
    result("r1", "s1", "c2", "clock", "12:00");

    DispatchJob followUp = t.dispatcher.last();
    assertThat(followUp.requestId()).isEqualTo("r1");
    assertThat(followUp.messages())
        .extracting(m -> m.getRole() + ":" + m.getContent())
        .containsExactly(
            "user:use the calculator and the clock", "assistant:", "tool:42", "tool:12:00");
    t.complete(followUp, "It is 12:00 and the answer is 42");

    Response r = t.responses.readValue();
    assertThat(r.getRequestId()).isEqualTo("r1");
    assertThat(r.getContent()).isEqualTo("It is 12:00 and the answer is 42");
    assertThat(r.getAttempts()).isEqualTo(2);
    assertThat(r.getUsage().getTotalTokens()).isEqualTo(6 + 9);
    assertThat(t.dispatcher.last().requestId()).as("the next request goes out").isEqualTo("r2");
    assertThat(t.traces.readValuesToList())
        .filteredOn(s -> s.getRequestId().equals("r1"))
        .extracting(TraceSpan::getName)
        .containsSubsequence("provider.call", "tool.call", "tool.call", "provider.call", "respond");
  }

  @Test
  void shouldSendTheResultsInTheOrderOfTheCallsWhateverOrderTheyArrive() {
    t.send(withTools("r1", "s1"));
    t.askForTools(t.dispatcher.last(), calls("calculator", "c1", "clock", "c2"));

    result("r1", "s1", "c2", "clock", "12:00");
    result("r1", "s1", "c1", "calculator", "42");

    assertThat(t.dispatcher.last().messages())
        .extracting(m -> m.getRole() + ":" + m.getContent())
        .endsWith("tool:42", "tool:12:00");
  }

  @Test
  void shouldDropARepeatedResult() {
    t.send(withTools("r1", "s1"));
    t.askForTools(t.dispatcher.last(), calls("calculator", "c1", "clock", "c2"));

    result("r1", "s1", "c1", "calculator", "42");
    result("r1", "s1", "c1", "calculator", "42");

    assertThat(t.dispatcher.jobs).hasSize(1);
  }

  @Test
  void shouldTellTheModelWhenAToolDoesNotAnswerInTime() {
    t.send(withTools("r1", "s1"));
    t.askForTools(t.dispatcher.last(), calls("calculator", "c1"));

    t.advance(Duration.ofMillis(1100));

    ToolResult timeout = t.toolResultsOut.readValue();
    assertThat(timeout.getIsError()).isTrue();
    assertThat(timeout.getContent()).isEqualTo("tool 'calculator' did not answer within 1000 ms");
    DispatchJob followUp = t.dispatcher.last();
    assertThat(followUp.dispatch()).isEqualTo(2);
    assertThat(followUp.messages().get(followUp.messages().size() - 1).getContent())
        .contains("did not answer");
  }

  @Test
  void shouldEndWithAnErrorWhenTheModelExceedsTheRounds() {
    t.send(withTools("r1", "s1"));
    for (int round = 1; round <= 2; round++) {
      t.askForTools(t.dispatcher.last(), calls("calculator", "c" + round));
      result("r1", "s1", "c" + round, "calculator", "1");
    }

    t.askForTools(t.dispatcher.last(), calls("calculator", "c3"));

    Response r = t.responses.readValue();
    assertThat(r.getStatus()).isEqualTo(ResponseStatus.ERROR);
    assertThat(r.getError().getCode()).isEqualTo("tool_rounds_exceeded");
    assertThat(r.getAttempts()).isEqualTo(3);
  }

  @Test
  void shouldIgnoreAStaleCompletionOfTheRoundThatAskedForTools() {
    t.send(withTools("r1", "s1"));
    DispatchJob first = t.dispatcher.last();
    t.askForTools(first, calls("calculator", "c1"));
    result("r1", "s1", "c1", "calculator", "42");

    t.complete(first, "a late duplicate of the first call");

    assertThat(t.responses.isEmpty()).isTrue();
  }

  @Test
  void shouldReturnToolCallsToTheClientWhenToolsAreNotConfigured() {
    t.close();
    t = new TopologyFixture(TopologyFixture.CONFIG, SETTINGS);
    t.send(withTools("r1", "s1"));

    t.askForTools(t.dispatcher.last(), calls("calculator", "c1"));

    Response r = t.responses.readValue();
    assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(r.getToolCalls()).hasSize(1);
    assertThat(r.getFinishReason()).isEqualTo("tool_calls");
    assertThat(t.toolCalls.isEmpty()).isTrue();
  }
}
