package io.sluice.tools.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PublishConfirmsTest {
  private final PublishConfirms<String> confirms = new PublishConfirms<>();

  @Test
  void givenThreePublishesWhenAMultipleConfirmComesThenItSettlesThoseUpToItsNumberOnly() {
    confirms.published(1, "a");
    confirms.published(2, "b");
    confirms.published(3, "c");

    assertThat(confirms.confirmed(2, true)).containsExactly("a", "b");
    assertThat(confirms.confirmed(3, false)).containsExactly("c");
    assertThat(confirms.size()).isZero();
  }

  @Test
  void
      givenALostChannelWhenTheRecoveredOneNumbersFromOneAgainThenNoNewConfirmSettlesAnOldPublish() {
    // Given publishes 5 to 7 of a channel that was lost before they were confirmed
    confirms.published(5, "old-5");
    confirms.published(6, "old-6");
    confirms.published(7, "old-7");

    // When the recovered channel's first publishes take numbers 1 to 6 again, after the drain
    assertThat(confirms.drain()).containsExactly("old-5", "old-6", "old-7");
    for (long seq = 1; seq <= 6; seq++) {
      confirms.published(seq, "new-" + seq);
    }

    // Then a confirm of the new channel settles the new publishes only, and nothing old is left
    assertThat(confirms.confirmed(6, true))
        .containsExactly("new-1", "new-2", "new-3", "new-4", "new-5", "new-6");
    assertThat(confirms.drain()).isEmpty();
  }

  @Test
  void givenANackWhenItNamesOnePublishThenOnlyThatOneIsTakenBackAndTheRestStillAwaitAConfirm() {
    confirms.published(1, "a");
    confirms.published(2, "b");
    confirms.published(3, "c");

    assertThat(confirms.nacked(2, false)).containsExactly("b");
    assertThat(confirms.size()).isEqualTo(2);
    assertThat(confirms.confirmed(3, true)).containsExactly("a", "c");
  }
}
