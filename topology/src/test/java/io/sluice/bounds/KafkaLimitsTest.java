package io.sluice.bounds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaLimitsTest {
  private static SluiceConfig parse(String yaml) {
    return SluiceConfig.parse(yaml, "sluice.yaml", Map.of());
  }

  @Test
  void givenTheDefaultsWhenAppliedThenEverySizeIsKafkasOwnDefault() {
    Properties p = new Properties();

    KafkaLimits.applyToStreams(p, RecordLimits.from(parse("")));

    assertThat(p.getProperty("producer.max.request.size")).isEqualTo("1048576");
    assertThat(p.getProperty("topic.max.message.bytes")).isEqualTo("1048576");
    assertThat(p.getProperty("max.partition.fetch.bytes")).isEqualTo("1048576");
    assertThat(KafkaLimits.topicConfig(RecordLimits.DEFAULTS))
        .containsEntry("max.message.bytes", "1048576");
  }

  @Test
  void givenARaisedRecordLimitWhenAppliedThenTheThreeSettingsFollowIt() {
    Properties p = new Properties();

    KafkaLimits.applyToStreams(p, RecordLimits.from(parse("kafka: {max_record_bytes: 4000000}")));

    assertThat(p.getProperty("producer.max.request.size")).isEqualTo("4048576");
    assertThat(p.getProperty("topic.max.message.bytes")).isEqualTo("4048576");
    assertThat(p.getProperty("max.partition.fetch.bytes")).isEqualTo("4048576");
  }

  @Test
  void givenAnExplicitMaxRequestSizeBelowTheBoundWhenAppliedThenTheKeyIsNamed() {
    Properties p = new Properties();
    p.put("max.request.size", "500000");

    assertThatThrownBy(() -> KafkaLimits.applyToProducer(p, RecordLimits.DEFAULTS))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kafka.properties.max.request.size")
        .hasMessageContaining("kafka.max_record_bytes");
  }

  @Test
  void givenAHistoryBoundOverTheRecordLimitWhenParsedThenTheKeyIsNamed() {
    assertThatThrownBy(
            () -> parse("kafka: {max_record_bytes: 100000}\nsessions: {max_history_bytes: 500000}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sessions.max_history_bytes");
    assertThatThrownBy(() -> parse("kafka: {max_record_bytes: 1000}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kafka.max_record_bytes");
    assertThatThrownBy(() -> parse("kafka: {broker_loss_timeout: 1s}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kafka.broker_loss_timeout");
  }
}
