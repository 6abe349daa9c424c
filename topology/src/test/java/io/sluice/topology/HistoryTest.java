package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTest {
  private static ChatMessage m(String role, String text) {
    return new ChatMessage(role, text, null, null, List.of());
  }

  @Test
  void givenAHistoryOverItsByteBoundWhenATurnIsAddedThenTheOldestNonSystemMessagesGoFirst() {
    List<ChatMessage> h =
        new ArrayList<>(
            List.of(
                m("system", "be brief"),
                m("user", "a".repeat(400)),
                m("assistant", "b".repeat(400))));

    History.Appended added =
        History.append(h, List.of(m("user", "c".repeat(400)), m("assistant", "d")), 50, 1_000);

    assertThat(added.kept()).isTrue();
    assertThat(added.dropped()).isEqualTo(1);
    assertThat(h)
        .extracting(ChatMessage::getRole)
        .containsExactly("system", "assistant", "user", "assistant");
    assertThat(History.bytes(h)).isLessThanOrEqualTo(1_000);
  }

  @Test
  void givenATurnLargerThanTheBoundWhenItIsAddedThenItIsKeptOutAndTheHistoryStays() {
    List<ChatMessage> h = new ArrayList<>(List.of(m("user", "q"), m("assistant", "a")));

    History.Appended added = History.append(h, List.of(m("user", "x".repeat(2_000))), 50, 1_000);

    assertThat(added.kept()).isFalse();
    assertThat(h).extracting(ChatMessage::getContent).containsExactly("q", "a");
  }

  @Test
  void givenMoreMessagesThanTheCountBoundWhenATurnIsAddedThenSystemMessagesStay() {
    List<ChatMessage> h =
        new ArrayList<>(List.of(m("system", "s"), m("user", "1"), m("assistant", "2")));

    History.append(h, List.of(m("user", "3"), m("assistant", "4")), 2, 100_000);

    assertThat(h).extracting(ChatMessage::getContent).containsExactly("s", "3", "4");
  }

  @Test
  void givenOnlySystemMessagesOverTheBoundWhenATurnIsAddedThenTheOldestSystemMessagesGoToo() {
    List<ChatMessage> h = new ArrayList<>(List.of(m("system", "s".repeat(900))));

    History.append(h, List.of(m("user", "q"), m("assistant", "a")), 50, 500);

    assertThat(h).extracting(ChatMessage::getContent).containsExactly("q", "a");
  }

  @Test
  void givenMultiByteTextWhenMeasuredThenItsUtf8LengthCounts() {
    assertThat(History.bytes(m("user", "中".repeat(100)))).isGreaterThanOrEqualTo(300);
  }
}
