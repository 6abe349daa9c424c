package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.app.SluiceApp;
import io.sluice.topology.TopologySpec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The config keys of the reply path and the idempotency window. */
class ReplyConfigTest {
  private static SluiceConfig parse(String yaml) {
    return SluiceConfig.parse(yaml, "sluice.yaml", Map.of());
  }

  @Test
  void shouldNameTheReplyTopicFromThePrefixUnlessOverridden() {
    assertThat(parse("").topicNames()).containsEntry("replies", "llm.replies");
    assertThat(parse("topics: {prefix: 'x.'}").topicNames()).containsEntry("replies", "x.replies");
    assertThat(TopologySpec.Topics.from(parse("topics: {replies: door.answers}")).replies())
        .isEqualTo("door.answers");
    assertThat(parse("").topics().replyPartitions()).isEqualTo(16);
  }

  @Test
  void shouldKeepAnswersForADayByDefault() {
    assertThat(SluiceApp.sessionSettings(parse("")).idempotencyWindow())
        .isEqualTo(Duration.ofHours(24));
  }

  @Test
  void shouldTurnTheWindowOffWithZero() {
    var settings = SluiceApp.sessionSettings(parse("sessions: {idempotency_window: 0}"));
    assertThat(settings.idempotencyWindow()).isZero();
    assertThat(settings.idempotent()).isFalse();
    assertThat(
            SluiceApp.sessionSettings(parse("sessions: {idempotency_window: 90m}"))
                .idempotencyWindow())
        .isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void shouldNameAWindowThatIsNotADuration() {
    assertThatThrownBy(() -> parse("sessions: {idempotency_window: soon}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sessions.idempotency_window");
  }

  @Test
  void shouldNameANonPositiveReplyPartitionCount() {
    assertThatThrownBy(() -> parse("topics: {reply_partitions: 0}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("topics.reply_partitions");
  }
}
