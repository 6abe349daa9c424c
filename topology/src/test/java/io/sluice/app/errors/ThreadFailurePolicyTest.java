package io.sluice.app.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.metrics.GatewayMetrics;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class ThreadFailurePolicyTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private final ThreadFailurePolicy policy =
      new ThreadFailurePolicy(
          new GatewayMetrics(registry),
          Clock.fixed(Instant.parse("2026-12-02T00:00:00Z"), ZoneOffset.UTC),
          fatal::set);

  @Test
  void givenAThreadThatDiedOfAProcessingErrorWhenHandledThenItIsReplacedAndCounted() {
    StreamThreadExceptionResponse r =
        policy.handle(new StreamsException(new IllegalStateException("bug")));

    assertThat(r).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(registry.get("sluice.stream.threads.replaced").counter().count()).isEqualTo(1.0);
    assertThat(fatal.get()).isNull();
  }

  @Test
  void givenAFencedInstanceWhenHandledThenTheGatewayStopsSayingWhy() {
    StreamThreadExceptionResponse r =
        policy.handle(new StreamsException(new ProducerFencedException("epoch")));

    assertThat(r).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    assertThat(fatal.get()).hasMessageContaining("fenced");
  }

  @Test
  void givenAThreadDyingAgainAndAgainWhenTheBoundIsPassedThenTheGatewayStops() {
    for (int i = 0; i < ThreadFailurePolicy.MAX_REPLACEMENTS; i++) {
      assertThat(policy.handle(new StreamsException("again")))
          .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    assertThat(policy.handle(new StreamsException("again")))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    assertThat(fatal.get()).hasMessageContaining("times within");
  }
}
