package io.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.SluiceConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicSetupTest {
  @Test
  void shouldCreateTheReplyTopicWithItsOwnPartitionCountAndAnHoursRetention() {
    // Given the defaults, and a partition count for every other topic
    var specs = TopicSetup.specs(SluiceConfig.defaults(), 3, null);

    // Then the reply topic has 16 partitions and keeps records for an hour
    TopicSetup.TopicSpec replies =
        specs.stream().filter(s -> s.name().equals("llm.replies")).findFirst().orElseThrow();
    assertThat(replies.partitions()).isEqualTo(16);
    assertThat(replies.configs())
        .containsEntry("retention.ms", String.valueOf(Duration.ofHours(1).toMillis()));
    assertThat(specs.stream().filter(s -> s.name().equals("llm.requests")).findFirst())
        .hasValueSatisfying(s -> assertThat(s.partitions()).isEqualTo(3));
  }

  @Test
  void shouldTakeTheReplyPartitionCountFromTheConfig() {
    SluiceConfig c = SluiceConfig.parse("topics: {reply_partitions: 4}", "sluice.yaml", Map.of());

    assertThat(TopicSetup.specs(c, null, null))
        .filteredOn(s -> s.name().equals("llm.replies"))
        .singleElement()
        .satisfies(s -> assertThat(s.partitions()).isEqualTo(4));
  }
}
