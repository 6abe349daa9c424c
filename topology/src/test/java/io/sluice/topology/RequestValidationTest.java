package io.sluice.topology;

import static io.sluice.topology.TopologyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a provider would refuse is REJECTED at ingest, naming the field; nothing is dispatched. */
class RequestValidationTest {
  private TopologyFixture t = new TopologyFixture();

  @AfterEach
  void close() {
    t.close();
  }

  /** Sends a request changed by {@code change} and returns the one response it got. */
  private Response rejected(Consumer<Request> change) {
    Request r = request("r1", "s1", "hello");
    change.accept(r);
    t.send(r);
    List<Response> out = t.responses.readValuesToList();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getStatus()).isEqualTo(ResponseStatus.REJECTED);
    assertThat(out.get(0).getError().getCode()).isEqualTo("invalid_request");
    assertThat(t.dispatcher.jobs).isEmpty();
    return out.get(0);
  }

  private static RequestParams params(Double temperature, Double topP, Integer maxTokens) {
    return new RequestParams(temperature, maxTokens, topP, List.of(), null, Map.of());
  }

  private static ToolSpec tool(String name, String parametersJson) {
    return new ToolSpec(name, "a tool", parametersJson);
  }

  @Test
  void shouldRejectATemperatureOutsideZeroToTwo() {
    assertThat(rejected(r -> r.setParams(params(7.5, null, null))).getError().getMessage())
        .isEqualTo("params.temperature 7.5 is not between 0 and 2");
    assertThat(rejected(r -> r.setParams(params(-0.1, null, null))).getError().getMessage())
        .isEqualTo("params.temperature -0.1 is not between 0 and 2");
    assertThat(rejected(r -> r.setParams(params(Double.NaN, null, null))).getError().getMessage())
        .isEqualTo("params.temperature NaN is not between 0 and 2");
  }

  @Test
  void shouldRejectATopPOutsideZeroToOne() {
    assertThat(rejected(r -> r.setParams(params(null, 1.5, null))).getError().getMessage())
        .isEqualTo("params.top_p 1.5 is not between 0 and 1");
  }

  @Test
  void shouldRejectANonPositiveMaxTokens() {
    assertThat(rejected(r -> r.setParams(params(null, null, -3))).getError().getMessage())
        .isEqualTo("params.max_tokens -3 must be positive");
    assertThat(rejected(r -> r.setParams(params(null, null, 0))).getError().getMessage())
        .isEqualTo("params.max_tokens 0 must be positive");
  }

  @Test
  void shouldAcceptTheBoundsThemselves() {
    Request low = request("r1", "s1", "x");
    low.setParams(params(0.0, 0.0, 1));
    Request high = request("r2", "s2", "x");
    high.setParams(params(2.0, 1.0, Integer.MAX_VALUE));

    t.send(low);
    t.send(high);

    assertThat(t.responses.isEmpty()).isTrue();
    assertThat(t.dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("r1", "r2");
  }

  @Test
  void shouldRejectAToolWhoseParametersAreNotAJsonObject() {
    assertThat(
            rejected(r -> r.setTools(List.of(tool("ok", "{}"), tool("calc", "[1, 2]"))))
                .getError()
                .getMessage())
        .isEqualTo("tools[1].parameters_json is a JSON array, not an object");
    assertThat(
            rejected(r -> r.setTools(List.of(tool("calc", "{\"type\":")))).getError().getMessage())
        .startsWith("tools[0].parameters_json is not valid JSON: ");
    assertThat(rejected(r -> r.setTools(List.of(tool("calc", "{} {}")))).getError().getMessage())
        .startsWith("tools[0].parameters_json is not valid JSON: ");
    assertThat(rejected(r -> r.setTools(List.of(tool("calc", "  ")))).getError().getMessage())
        .isEqualTo("tools[0].parameters_json is empty, not a JSON object");
  }

  @Test
  void shouldRejectAnEmptyOrOverlongToolName() {
    assertThat(rejected(r -> r.setTools(List.of(tool(" ", "{}")))).getError().getMessage())
        .isEqualTo("tools[0].name must not be empty");
    assertThat(
            rejected(r -> r.setTools(List.of(tool("x".repeat(65), "{}")))).getError().getMessage())
        .isEqualTo("tools[0].name is 65 characters, more than 64");
  }

  @Test
  void shouldRejectMoreThan128Tools() {
    List<ToolSpec> tools = new ArrayList<>();
    for (int i = 0; i < 129; i++) {
      tools.add(tool("t" + i, "{}"));
    }

    assertThat(rejected(r -> r.setTools(tools)).getError().getMessage())
        .isEqualTo("tools has 129 entries, more than 128");
  }

  @Test
  void shouldRejectMoreMessagesThanConfigured() {
    t.close();
    t =
        new TopologyFixture(
            TopologyFixture.CONFIG + "sessions: {max_request_messages: 3}\n",
            TopologyFixture.SETTINGS);
    Request three = request("r0", "s0", "one");
    three.getMessages().add(new ChatMessage("assistant", "two", null, null, List.of()));
    three.getMessages().add(new ChatMessage("user", "three", null, null, List.of()));
    t.send(three);
    assertThat(t.dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("r0");
    t.dispatcher.jobs.clear();

    Response out =
        rejected(
            r -> {
              for (int i = 0; i < 3; i++) {
                r.getMessages().add(new ChatMessage("user", "more", null, null, List.of()));
              }
            });

    assertThat(out.getError().getMessage())
        .isEqualTo("messages has 4 entries, more than sessions.max_request_messages (3)");
  }

  @Test
  void shouldRejectOverlongIdsWithoutEchoingThem() {
    String huge = "i".repeat(513);

    Response bySession = rejected(r -> r.setSessionId(huge));
    assertThat(bySession.getError().getMessage())
        .isEqualTo("session_id is 513 characters, more than 512");
    assertThat(bySession.getSessionId()).isNull();
    assertThat(bySession.getRequestId()).isEqualTo("r1");
    for (String field : List.of("request_id", "tenant_id", "model")) {
      Response out =
          rejected(
              r -> {
                switch (field) {
                  case "request_id" -> r.setRequestId(huge);
                  case "tenant_id" -> r.setTenantId(huge);
                  default -> r.setModel(huge);
                }
              });
      assertThat(out.getError().getMessage())
          .isEqualTo(field + " is 513 characters, more than 512");
      assertThat(List.of(nz(out.getRequestId()), nz(out.getTenantId()), nz(out.getModel())))
          .allMatch(s -> s.length() <= 512);
    }
  }

  @Test
  void shouldClipAHugeRoleInTheRejectionAndTagUnknownModelsAsOne() {
    String role = "r".repeat(100_000);
    Response out =
        rejected(r -> r.getMessages().add(new ChatMessage(role, "x", null, null, List.of())));
    assertThat(out.getError().getMessage())
        .startsWith("messages[1].role 'rrrr")
        .hasSizeLessThan(200);

    Request unknown1 = request("u1", "s2", "x");
    unknown1.setModel("random-1");
    Request unknown2 = request("u2", "s3", "x");
    unknown2.setModel("random-2");
    t.send(unknown1);
    t.send(unknown2);

    assertThat(t.registry.find("sluice.requests").tag("model", "unknown").counter().count())
        .isEqualTo(2.0);
    assertThat(t.registry.find("sluice.requests").tag("model", "random-1").counter()).isNull();
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
