package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HistoryTest {
  static {
    io.sluice.schema.AvroTrust.install(); // the serdes do this in the bench; here no serde runs
  }

  @Test
  void shouldBuildTurnsOfTheGivenCountAndSizeAlternatingUserAndAssistant() {
    // Given a history of 5 messages of 2,048 characters
    History h = new History(5, 2048);

    // When its turns are built
    List<ChatMessage> turns = h.turns();

    // Then there are 5, each exactly 2,048 characters, user first and alternating
    assertThat(turns).hasSize(5);
    assertThat(turns).allSatisfy(m -> assertThat(m.getContent()).hasSize(2048));
    assertThat(turns)
        .extracting(ChatMessage::getRole)
        .containsExactly("user", "assistant", "user", "assistant", "user");
    assertThat(turns.get(0).getContent()).isNotEqualTo(turns.get(2).getContent());
  }

  @Test
  void shouldKeepAMessageShorterThanItsNumberExactlyThatLong() {
    assertThat(new History(12, 3).turns()).allSatisfy(m -> assertThat(m.getContent()).hasSize(3));
  }

  @Test
  void shouldPutTheHistoryBeforeEachRequestsQuestion() {
    // Given a unique workload with 10 earlier turns
    Workload w = new Workload("unique", 0.5, 100, "bench").withHistory(new History(10, 100));

    // When two requests are made
    Request first = w.request("run", 0, new SplittableRandom(1));
    Request second = w.request("run", 1, new SplittableRandom(1));

    // Then each carries the 10 turns, then its own question, and still uses no stored history
    assertThat(first.getMessages()).hasSize(11);
    assertThat(first.getMessages().subList(0, 10)).isEqualTo(second.getMessages().subList(0, 10));
    assertThat(first.getMessages().get(10).getContent())
        .isNotEqualTo(second.getMessages().get(10).getContent());
    assertThat(first.getMessages().get(10).getRole()).isEqualTo("user");
    assertThat(first.getUseHistory()).isFalse();
  }

  @Test
  void shouldSendTheQuestionAloneWithoutHistory() {
    Request r =
        new Workload("unique", 0.5, 100, "bench").request("run", 0, new SplittableRandom(1));

    assertThat(r.getMessages()).hasSize(1);
  }

  @Test
  void shouldRefuseNegativeCountsAndEmptyMessages() {
    assertThatThrownBy(() -> new History(-1, 10)).hasMessageContaining("--history");
    assertThatThrownBy(() -> new History(3, 0)).hasMessageContaining("--history-bytes");
  }
}
