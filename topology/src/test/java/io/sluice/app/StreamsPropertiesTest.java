package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.SluiceConfig;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class StreamsPropertiesTest {
  @Test
  void
      givenNoKafkaProperties_whenBuilt_thenConsumersFetchInBatchesAndTheCacheConsumerInLargerOnes() {
    Properties p = StreamsProperties.of(SluiceConfig.parse("", "empty.yaml", Map.of()));

    assertThat(p.getProperty("fetch.min.bytes")).isEqualTo("4096");
    assertThat(p.getProperty("fetch.max.wait.ms")).isEqualTo("5");
    assertThat(p.getProperty("global.consumer.fetch.min.bytes")).isEqualTo("65536");
    assertThat(p.getProperty("global.consumer.fetch.max.wait.ms")).isEqualTo("100");
    assertThat(p.getProperty("max.task.idle.ms")).isEqualTo("-1");
  }

  @Test
  void givenNoKafkaProperties_whenBuilt_thenANewInstanceIsProbedForItsTasksEveryMinute() {
    Properties p = StreamsProperties.of(SluiceConfig.parse("", "empty.yaml", Map.of()));

    assertThat(p.getProperty("probing.rebalance.interval.ms")).isEqualTo("60000");
  }

  @Test
  void givenAProbingIntervalInKafkaProperties_whenBuilt_thenTheUsersValueWins() {
    Properties p =
        StreamsProperties.of(
            SluiceConfig.parse(
                "kafka: {properties: {probing.rebalance.interval.ms: \"600000\"}}",
                "probe.yaml",
                Map.of()));

    assertThat(p.getProperty("probing.rebalance.interval.ms")).isEqualTo("600000");
  }

  @Test
  void givenFetchSettingsInKafkaProperties_whenBuilt_thenTheUsersValuesWin() {
    SluiceConfig config =
        SluiceConfig.parse(
            """
            kafka:
              properties:
                fetch.max.wait.ms: "50"
                global.consumer.fetch.max.wait.ms: "10"
            """,
            "tuned.yaml",
            Map.of());

    Properties p = StreamsProperties.of(config);

    assertThat(p.getProperty("fetch.max.wait.ms")).isEqualTo("50");
    assertThat(p.getProperty("global.consumer.fetch.max.wait.ms")).isEqualTo("10");
    assertThat(p.getProperty("global.consumer.fetch.min.bytes")).isEqualTo("65536");
  }

  @Test
  void givenNoProfile_whenBuilt_thenTheStreamsSettingsAreBalancedAsBefore() {
    Properties p = StreamsProperties.of(SluiceConfig.parse("", "empty.yaml", Map.of()));

    assertThat(p.getProperty("producer.linger.ms")).isEqualTo("5");
    assertThat(p.getProperty("commit.interval.ms")).isEqualTo("20");
    assertThat(p.getProperty("producer.batch.size")).isNull();
  }

  @Test
  void givenLowLatency_whenBuilt_thenProducersSendAtOnceAndConsumersFetchAtTheFirstByte() {
    Properties p =
        StreamsProperties.of(
            SluiceConfig.parse("kafka: {profile: low_latency}", "ll.yaml", Map.of()));

    assertThat(p.getProperty("producer.linger.ms")).isEqualTo("0");
    assertThat(p.getProperty("commit.interval.ms")).isEqualTo("10");
    assertThat(p.getProperty("fetch.min.bytes")).isEqualTo("1");
    assertThat(p.getProperty("fetch.max.wait.ms")).isEqualTo("100");
    assertThat(p.getProperty("global.consumer.fetch.max.wait.ms")).isEqualTo("100");
  }

  @Test
  void givenThroughput_whenBuilt_thenBatchesAreLargerAndFetchesWaitLonger() {
    Properties p =
        StreamsProperties.of(
            SluiceConfig.parse(
                "kafka: {profile: throughput, processing_guarantee: at_least_once}",
                "tp.yaml",
                Map.of()));

    assertThat(p.getProperty("producer.linger.ms")).isEqualTo("20");
    assertThat(p.getProperty("producer.batch.size")).isEqualTo("65536");
    assertThat(p.getProperty("commit.interval.ms")).isEqualTo("1000");
    assertThat(p.getProperty("fetch.min.bytes")).isEqualTo("65536");
    assertThat(p.getProperty("fetch.max.wait.ms")).isEqualTo("25");
  }

  @Test
  void givenAProfileAndTheUsersOwnProperties_whenBuilt_thenTheUsersValuesWin() {
    SluiceConfig config =
        SluiceConfig.parse(
            """
            kafka:
              profile: throughput
              properties:
                linger.ms: "1"
                batch.size: "8192"
                fetch.min.bytes: "1"
            """,
            "tuned.yaml",
            Map.of());

    Properties p = StreamsProperties.of(config);

    assertThat(p.getProperty("producer.linger.ms")).isEqualTo("1");
    assertThat(p.getProperty("batch.size")).isEqualTo("8192");
    assertThat(p.getProperty("producer.batch.size")).isNull();
    assertThat(p.getProperty("fetch.min.bytes")).isEqualTo("1");
    assertThat(p.getProperty("fetch.max.wait.ms")).isEqualTo("25");
  }
}
