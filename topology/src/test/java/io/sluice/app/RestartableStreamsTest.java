package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.junit.jupiter.api.Test;

/** Which failures a new Kafka Streams client with the cache store deleted recovers from. */
class RestartableStreamsTest {
  private static final StreamsException OUT_OF_RANGE =
      new StreamsException(
          "Updating global state failed.",
          new OffsetOutOfRangeException(
              "Fetch position out of range", Map.of(new TopicPartition("llm.cache", 4), 1L)));

  @Test
  void givenTheGlobalConsumerOutOfRange_whenClassified_thenRecoverableOnTheGlobalThreadOnly() {
    assertThat(RestartableStreams.runningFailure(OUT_OF_RANGE, true))
        .isEqualTo("offset_out_of_range");
    assertThat(RestartableStreams.runningFailure(OUT_OF_RANGE, false)).isNull();
    assertThat(RestartableStreams.startFailure(OUT_OF_RANGE)).isEqualTo("offset_out_of_range");
  }

  @Test
  void givenAStreamThreadFindingTheCacheStoreClosed_whenClassified_thenTheGlobalThreadDied() {
    StreamsException e =
        new StreamsException(
            "Exception caught while punctuating processor 'session'",
            new InvalidStateStoreException("Store cache is currently closed"));

    assertThat(RestartableStreams.runningFailure(e, false)).isEqualTo("global_thread_died");
    assertThat(
            RestartableStreams.runningFailure(
                new InvalidStateStoreException("Store sessions is currently closed"), false))
        .isNull();
  }

  @Test
  void givenAStoreLeftOpenAtStart_whenClassified_thenUncleanShutdown() {
    StreamsException e =
        new StreamsException(
            "init failed",
            new TaskCorruptedException(
                java.util.Set.of(), new ProcessorStateException("invalid state")));

    assertThat(RestartableStreams.startFailure(e)).isEqualTo("unclean_shutdown");
  }

  @Test
  void givenAnyOtherFailure_whenClassified_thenNotRecoverable() {
    RuntimeException other = new IllegalStateException("boom", new RuntimeException());

    assertThat(RestartableStreams.startFailure(other)).isNull();
    assertThat(RestartableStreams.runningFailure(other, true)).isNull();
  }
}
