package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.kafka.TopicSetup;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeysConfigTest {
  private static SluiceConfig parse(String yaml) {
    return SluiceConfig.parse(yaml, "t.yaml", Map.of());
  }

  @Test
  void shouldRefuseAKeyHeaderByDefaultAndCheckItWhenAsked() {
    assertThat(parse("").keys().checkHeader()).isFalse();
    assertThat(parse("keys: {kafka_header: check}\n").keys().checkHeader()).isTrue();
    assertThat(parse("keys: {kafka_header: 'off'}\n").keys().checkHeader()).isFalse();
  }

  @Test
  void shouldNameTheKeyOfABadValue() {
    assertThatThrownBy(() -> parse("keys: {kafka_header: trust}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("keys.kafka_header");
    assertThatThrownBy(() -> parse("keys: {header: check}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("header");
  }

  @Test
  void shouldCreateTheKeysTopicCompactedWithOnePartitionUnderThePrefix() {
    SluiceConfig c = parse("topics: {prefix: 'x.', partitions: 4}\n");
    assertThat(c.topicNames()).containsEntry("keys", "x.keys");
    TopicSetup.TopicSpec keys =
        TopicSetup.specs(c, 8, null).stream()
            .filter(s -> s.name().equals("x.keys"))
            .findFirst()
            .orElseThrow();
    assertThat(keys.partitions()).isEqualTo(1);
    assertThat(keys.configs()).containsEntry("cleanup.policy", "compact");
  }
}
