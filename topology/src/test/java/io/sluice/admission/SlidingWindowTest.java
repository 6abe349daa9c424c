package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlidingWindowTest {
  private static final long T0 = 1_764_676_800_000L; // 2025-12-02T12:00:00Z, a whole second

  @Test
  void shouldCountWhatWasAddedInTheLastSixtySeconds() {
    // Given 3 added at T0 and 2 at T0 + 30 s
    SlidingWindow w = new SlidingWindow();
    w.add(SlidingWindow.second(T0), 3);
    w.add(SlidingWindow.second(T0 + 30_000), 2);

    // Then both count until T0's second leaves the window, 60 s later
    assertThat(w.total(T0 + 59_999)).isEqualTo(5);
    assertThat(w.total(T0 + 60_000)).isEqualTo(2);
    assertThat(w.total(T0 + 90_000)).isZero();
    assertThat(w.buckets).isEmpty();
  }

  @Test
  void shouldSayWhenEnoughOfTheOldestBucketsHaveLeft() {
    // Given a limit of 5, with 3 at T0 and 2 at T0 + 10 s
    SlidingWindow w = new SlidingWindow();
    w.add(SlidingWindow.second(T0), 3);
    w.add(SlidingWindow.second(T0 + 10_000), 2);
    long now = T0 + 20_000;

    // Then 1 more fits once T0's bucket leaves; 4 more too; 6 never
    assertThat(w.fits(now, 5, 1)).isFalse();
    assertThat(w.retryAfterMs(now, 5, 1)).isEqualTo(40_000);
    assertThat(w.retryAfterMs(now, 5, 4)).isEqualTo(50_000);
    assertThat(w.retryAfterMs(now, 5, 6)).isEqualTo(-1);
    assertThat(w.retryAfterMs(now, 10, 1)).isZero();
  }

  @Test
  void shouldNeverLetACorrectionDriveABucketBelowZero() {
    SlidingWindow w = new SlidingWindow();
    long s = SlidingWindow.second(T0);
    w.add(s, 10);
    w.add(s, -25);
    assertThat(w.total(T0)).isZero();
    assertThat(w.buckets).isEmpty();
  }

  @Test
  void shouldRoundTripThroughItsStoreSerde() {
    // Given a scope's state; When written and read by the store's serde
    ScopeState s = new ScopeState();
    s.requests.add(SlidingWindow.second(T0), 4);
    s.tokens.add(SlidingWindow.second(T0), 900);
    s.inFlight = 2;
    s.spendUsd = 0.25;
    s.periodStartMs = T0;
    var serde = JsonSerde.of(ScopeState.class);
    ScopeState back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", s));

    // Then nothing is lost
    assertThat(back.requests.total(T0)).isEqualTo(4);
    assertThat(back.tokens.total(T0)).isEqualTo(900);
    assertThat(back.inFlight).isEqualTo(2);
    assertThat(back.spendUsd).isEqualTo(0.25);
    assertThat(back.periodStartMs).isEqualTo(T0);
    var inFlight = JsonSerde.of(InFlight.class);
    InFlight e =
        new InFlight("acme", "k1", java.util.List.of("t:acme", "k:k1"), 7, 45, 9, 99, 0, 1);
    assertThat(inFlight.deserializer().deserialize("t", inFlight.serializer().serialize("t", e)))
        .isEqualTo(e);
    // and an entry written before usages were counted reads as none counted
    String old =
        "{\"tenant\":\"acme\",\"keyId\":null,\"scopes\":[\"t:acme\"],\"admittedSecond\":7,"
            + "\"reserved\":45,\"charged\":0,\"deadlineMs\":99,\"doneAtMs\":0}";
    assertThat(
            inFlight
                .deserializer()
                .deserialize("t", old.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .usages())
        .isZero();
  }
}
