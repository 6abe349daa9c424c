package io.sluice.frontdoor.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.events.CacheMode;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.frontdoor.wire.WireCall;
import io.sluice.frontdoor.wire.WireError;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestBuilderTest {
  private static final Instant NOW = Instant.parse("2026-12-02T05:00:00Z");
  private final RequestBuilder builder = new RequestBuilder(Clock.fixed(NOW, ZoneOffset.UTC));

  private static WireCall call(boolean stream) {
    return new WireCall(
        "gpt-4o-mini",
        List.of(ChatMessage.newBuilder().setRole("user").setContent("Hi").build()),
        null,
        List.of(),
        stream,
        false,
        "u1",
        Map.of("team", "search"));
  }

  @Test
  void shouldMakeTheRequestItsOwnSessionWithoutHistoryWhenNoSessionHeader() throws WireError {
    // Given a call with an Idempotency-Key and no session header
    HttpHeaders h = new DefaultHttpHeaders().set("Idempotency-Key", "key-1");

    // When
    Request r = builder.build(call(false), h, "acme");

    // Then
    assertThat(r.getRequestId()).isEqualTo("key-1");
    assertThat(r.getSessionId()).isEqualTo("key-1");
    assertThat(r.getUseHistory()).isFalse();
    assertThat(r.getTenantId()).isEqualTo("acme");
    assertThat(r.getCreatedAt()).isEqualTo(NOW);
    assertThat(r.getPriority()).isEqualTo(5);
    assertThat(r.getCache()).isEqualTo(CacheMode.DEFAULT);
    assertThat(r.getTimeoutMs()).isNull();
  }

  @Test
  void shouldUseTheSessionHeaderWithHistoryAndANewIdWhenNoIdempotencyKey() throws WireError {
    // Given
    HttpHeaders h = new DefaultHttpHeaders().set("x-sluice-session-id", "s-42");

    // When
    Request r = builder.build(call(true), h, "acme");

    // Then
    assertThat(r.getSessionId()).isEqualTo("s-42");
    assertThat(r.getUseHistory()).isTrue();
    assertThat(r.getRequestId()).hasSize(36).isNotEqualTo("s-42");
    assertThat(r.getStream()).isTrue();
  }

  @Test
  void shouldReadPriorityCacheTimeoutAndMetadataHeaders() throws WireError {
    // Given
    HttpHeaders h =
        new DefaultHttpHeaders()
            .set("x-sluice-priority", "9")
            .set("x-sluice-cache", "Bypass")
            .set("x-sluice-timeout-ms", "1500")
            .set("X-Sluice-Meta-Feature", "summaries");

    // When
    Request r = builder.build(call(false), h, "acme");

    // Then
    assertThat(r.getPriority()).isEqualTo(9);
    assertThat(r.getCache()).isEqualTo(CacheMode.BYPASS);
    assertThat(r.getTimeoutMs()).isEqualTo(1500L);
    assertThat(r.getMetadata())
        .containsEntry("feature", "summaries")
        .containsEntry("team", "search")
        .containsEntry("user", "u1");
  }

  @Test
  void shouldRefuseABadHeaderValueNamingTheHeader() {
    assertBad("x-sluice-priority", "10");
    assertBad("x-sluice-priority", "high");
    assertBad("x-sluice-cache", "always");
    assertBad("x-sluice-timeout-ms", "-1");
    assertBad("x-sluice-timeout-ms", "soon");
    assertBad("idempotency-key", "has space");
    assertBad("x-sluice-session-id", "x".repeat(300));
  }

  private void assertBad(String header, String value) {
    HttpHeaders h = new DefaultHttpHeaders().set(header, value);
    assertThatThrownBy(() -> builder.build(call(false), h, "acme"))
        .isInstanceOfSatisfying(
            WireError.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.param()).isEqualTo(header);
              assertThat(e.getMessage()).contains(header);
            });
  }
}
