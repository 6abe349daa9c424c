package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaProfileConfigTest {
  private static SluiceConfig parse(String yaml) {
    return SluiceConfig.parse(yaml, "sluice.yaml", Map.of());
  }

  @Test
  void givenNoProfile_whenParsed_thenItIsBalancedWithTheSettingsSluiceAlwaysHad() {
    // When
    SluiceConfig eos = parse("");
    SluiceConfig alos = parse("kafka: {processing_guarantee: at_least_once}\n");

    // Then
    assertThat(eos.kafka().profile()).isEqualTo("balanced");
    assertThat(eos.kafka().lingerMs()).isEqualTo(5L);
    assertThat(eos.kafka().commitIntervalMs()).isEqualTo(20L);
    assertThat(alos.kafka().commitIntervalMs()).isEqualTo(1000L);
    assertThat(eos.dispatch().chunkLingerMs()).isEqualTo(2);
  }

  @Test
  void givenLowLatency_whenParsed_thenNothingLingersAndExactlyOnceCommitsMoreOften() {
    // When
    SluiceConfig eos = parse("kafka: {profile: low_latency}\n");
    SluiceConfig alos =
        parse("kafka: {profile: low_latency, processing_guarantee: at_least_once}\n");

    // Then
    assertThat(eos.kafka().lingerMs()).isZero();
    assertThat(eos.kafka().commitIntervalMs()).isEqualTo(10L);
    assertThat(alos.kafka().commitIntervalMs()).isEqualTo(1000L);
    assertThat(eos.dispatch().chunkLingerMs()).isZero();
  }

  @Test
  void givenThroughput_whenParsed_thenEveryHopWaitsLongerForFullerBatches() {
    // When
    SluiceConfig c = parse("kafka: {profile: throughput}\n");

    // Then
    assertThat(c.kafka().lingerMs()).isEqualTo(20L);
    assertThat(c.kafka().commitIntervalMs()).isEqualTo(100L);
    assertThat(c.dispatch().chunkLingerMs()).isEqualTo(10);
  }

  @Test
  void givenDedicatedKeys_whenAProfileIsSet_thenTheKeysWin() {
    // Given
    String yaml =
        """
        kafka:
          profile: low_latency
          linger_ms: 3
          commit_interval_ms: 50
          properties: {linger.ms: "7", commit.interval.ms: "70"}
        dispatch: {chunk_linger_ms: 4}
        """;

    // When
    SluiceConfig c = parse(yaml);

    // Then
    assertThat(c.kafka().lingerMs()).isEqualTo(3L);
    assertThat(c.kafka().commitIntervalMs()).isEqualTo(50L);
    assertThat(c.dispatch().chunkLingerMs()).isEqualTo(4);
  }

  @Test
  void givenKafkaProperties_whenNoDedicatedKeyIsSet_thenThePropertiesWinOverTheProfile() {
    // When
    SluiceConfig plain =
        parse(
            """
            kafka:
              profile: throughput
              properties: {linger.ms: "1", commit.interval.ms: "30"}
            """);
    SluiceConfig prefixed =
        parse(
            """
            kafka:
              profile: throughput
              properties: {producer.linger.ms: "2", linger.ms: "9"}
            """);

    // Then
    assertThat(plain.kafka().lingerMs()).isEqualTo(1L);
    assertThat(plain.kafka().commitIntervalMs()).isEqualTo(30L);
    assertThat(prefixed.kafka().lingerMs()).isEqualTo(2L);
  }

  @Test
  void givenAnUnknownProfile_whenParsed_thenTheErrorNamesTheKeyAndTheChoices() {
    assertThatThrownBy(() -> parse("kafka:\n  profile: fastest\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sluice.yaml line 2")
        .hasMessageContaining("kafka.profile must be one of low_latency, balanced, throughput")
        .hasMessageContaining("'fastest'");
  }
}
