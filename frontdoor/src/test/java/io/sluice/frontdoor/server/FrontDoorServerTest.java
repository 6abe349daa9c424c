package io.sluice.frontdoor.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.Request;
import io.sluice.events.ResponseChunk;
import io.sluice.frontdoor.support.DoorHarness;
import io.sluice.frontdoor.support.FakeSink;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrontDoorServerTest {
  private static final String CHAT =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private DoorHarness door;

  @AfterEach
  void stop() {
    if (door != null) {
      door.close();
    }
  }

  private DoorHarness start(int maxInFlight, long maxBody, Duration timeout) throws Exception {
    door = new DoorHarness(DoorHarness.settings(maxInFlight, maxBody, timeout));
    return door;
  }

  private HttpRequest.Builder post(String path, String body) {
    return HttpRequest.newBuilder(URI.create(door.url() + path))
        .timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> send(HttpRequest r) throws Exception {
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswerASyncCallWithTheResponseAndItsHeaders() throws Exception {
    // Given a gateway that answers everything
    start(10, 1 << 20, Duration.ofSeconds(5)).answerEverything("hello");

    // When
    HttpResponse<String> r =
        send(post("/v1/chat/completions", CHAT).header("traceparent", "00-abc-def-01").build());

    // Then
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"content\":\"hello\"");
    Request sent = door.sink.sent.get(0);
    assertThat(r.headers().firstValue("x-request-id")).hasValue(sent.getRequestId());
    assertThat(r.headers().firstValue("x-sluice-provider")).hasValue("sim");
    assertThat(r.headers().firstValue("x-sluice-cache-hit")).hasValue("false");
    assertThat(r.headers().firstValue("x-sluice-attempts")).hasValue("1");
    assertThat(r.headers().firstValue("x-sluice-overhead-ms")).hasValue("10");
    assertThat(r.headers().firstValue("x-sluice-trace-id")).isPresent();
    assertThat(sent.getTenantId()).isEqualTo("default");
    assertThat(door.sink.traceparents).containsExactly("00-abc-def-01");
    assertThat(
            door.meters
                .get("sluice.front.door.requests")
                .tag("route", "chat_completions")
                .tag("status", "200")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void shouldAnswer413WithoutProducingWhenTheBodyIsTooLarge() throws Exception {
    // Given a limit of 1 KiB
    start(10, 1024, Duration.ofSeconds(5)).answerEverything("hello");

    // When
    HttpResponse<String> r = send(post("/v1/chat/completions", "x".repeat(4096)).build());

    // Then
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("request_too_large");
    assertThat(door.sink.sent).isEmpty();
  }

  @Test
  void shouldAnswer503WithRetryAfterWhenAtCapacity() throws Exception {
    // Given one call in flight that is never answered, with room for one
    start(1, 1 << 20, Duration.ofSeconds(30)).sink.mode = FakeSink.Mode.NEVER;
    CompletableFuture<HttpResponse<String>> first =
        http.sendAsync(
            post("/v1/chat/completions", CHAT).build(), HttpResponse.BodyHandlers.ofString());
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> door.sink.sent.size() == 1);

    // When
    HttpResponse<String> second = send(post("/v1/messages", CHAT).build());

    // Then
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.headers().firstValue("retry-after")).hasValue("1");
    assertThat(first).isNotDone();
    assertThat(door.sink.sent).hasSize(1);
  }

  @Test
  void shouldAnswer400ForABodyThatIsNotJson() throws Exception {
    start(10, 1 << 20, Duration.ofSeconds(5));

    HttpResponse<String> r = send(post("/v1/chat/completions", "{not json").build());

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(door.sink.sent).isEmpty();
  }

  @Test
  void shouldAnswer400NamingABadHeader() throws Exception {
    start(10, 1 << 20, Duration.ofSeconds(5));

    HttpResponse<String> r =
        send(post("/v1/chat/completions", CHAT).header("x-sluice-priority", "11").build());

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("x-sluice-priority");
  }

  @Test
  void shouldAnswer503WhenTheRequestCannotBeWritten() throws Exception {
    start(10, 1 << 20, Duration.ofSeconds(5)).sink.mode = FakeSink.Mode.FAIL;

    HttpResponse<String> r = send(post("/v1/chat/completions", CHAT).build());

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("retry-after")).hasValue("1");
  }

  @Test
  void shouldAnswer504WhenNoResponseArrivesBeforeTheDeadline() throws Exception {
    // Given a gateway that never answers
    start(10, 1 << 20, Duration.ofSeconds(30));

    // When the call asks for a 200 ms deadline (plus the harness's 100 ms margin)
    HttpResponse<String> r =
        send(post("/v1/chat/completions", CHAT).header("x-sluice-timeout-ms", "200").build());

    // Then
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(door.waiters.size()).isZero();
  }

  @Test
  void shouldAcceptAnAsyncCallAndAnswerItByPolling() throws Exception {
    // Given a gateway whose answer comes later
    start(10, 1 << 20, Duration.ofSeconds(30));

    // When
    HttpResponse<String> accepted =
        send(
            post("/v1/chat/completions", CHAT)
                .header("Prefer", "respond-async")
                .header("Idempotency-Key", "job-7")
                .build());
    HttpRequest poll =
        HttpRequest.newBuilder(URI.create(door.url() + "/v1/requests/job-7")).GET().build();
    HttpResponse<String> pending = send(poll);
    door.waiters.response(DoorHarness.ok(door.sink.sent.get(0), "later"));

    // Then
    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(accepted.headers().firstValue("location")).hasValue("/v1/requests/job-7");
    assertThat(pending.statusCode()).isEqualTo(202);
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> send(poll).statusCode() == 200);
    assertThat(send(poll).body()).contains("later");
    assertThat(
            send(HttpRequest.newBuilder(URI.create(door.url() + "/v1/requests/nope")).build())
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void shouldStreamChunksAndEndOnTheResponse() throws Exception {
    // Given a gateway that streams one chunk and then answers
    start(10, 1 << 20, Duration.ofSeconds(5));
    door.sink.then =
        r -> {
          door.waiters.chunk(
              ResponseChunk.newBuilder()
                  .setRequestId(r.getRequestId())
                  .setSessionId(r.getSessionId())
                  .setIndex(0)
                  .setDeltaContent("hel")
                  .build());
          door.waiters.response(DoorHarness.ok(r, "hello"));
        };

    // When
    HttpResponse<String> r =
        send(
            post("/v1/chat/completions", CHAT.replace("{\"model\"", "{\"stream\":true,\"model\""))
                .build());

    // Then
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(r.body()).isEqualTo("event: start\n\ndata: hel\n\ndata: [DONE]\n\n");
    assertThat(door.sink.sent.get(0).getStream()).isTrue();
  }

  @Test
  void shouldListModelsOverH2c() throws Exception {
    // Given
    start(10, 1 << 20, Duration.ofSeconds(5));
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();

    // When
    HttpResponse<String> r =
        h2.send(
            HttpRequest.newBuilder(URI.create(door.url() + "/v1/models")).GET().build(),
            HttpResponse.BodyHandlers.ofString());

    // Then
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.body()).contains("\"object\":\"list\"").contains("\"id\":\"gpt-4o-mini\"");
  }
}
