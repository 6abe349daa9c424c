package io.sluice.frontdoor.reply;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.frontdoor.support.FakeWire;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class AsyncResultsTest {
  /** A clock the test moves. */
  private static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-12-02T05:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final TestClock clock = new TestClock();
  private final FakeWire wire = new FakeWire("openai");

  private static Response ok(String id) {
    return Response.newBuilder().setRequestId(id).setStatus(ResponseStatus.OK).build();
  }

  @Test
  void shouldKeepAnAnswerForItsTimeToLiveThenForgetIt() {
    // Given
    AsyncResults results = new AsyncResults(10, Duration.ofMinutes(1), clock);
    results.accept("r1", "acme", wire, clock.millis() + 1000);

    // When
    AsyncResults.Entry pending = results.get("r1");
    results.complete(ok("r1"));
    clock.now = clock.now.plusSeconds(59);
    AsyncResults.Entry done = results.get("r1");
    clock.now = clock.now.plusSeconds(2);

    // Then
    assertThat(pending.response()).isNull();
    assertThat(pending.tenant()).isEqualTo("acme");
    assertThat(done.response().getRequestId()).isEqualTo("r1");
    assertThat(results.get("r1")).isNull();
  }

  @Test
  void shouldDropTheOldestEntryBeyondItsCapacity() {
    AsyncResults results = new AsyncResults(2, Duration.ofMinutes(1), clock);

    results.accept("a", "t", wire, 0);
    results.accept("b", "t", wire, 0);
    results.accept("c", "t", wire, 0);

    assertThat(results.get("a")).isNull();
    assertThat(results.get("b")).isNotNull();
    assertThat(results.get("c")).isNotNull();
    assertThat(results.size()).isEqualTo(2);
  }

  @Test
  void shouldIgnoreAnAnswerItDidNotAccept() {
    AsyncResults results = new AsyncResults(2, Duration.ofMinutes(1), clock);

    results.complete(ok("stranger"));

    assertThat(results.get("stranger")).isNull();
  }
}
