package io.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.bounds.RecordLimits;
import io.sluice.events.TokenUsage;
import io.sluice.internal.Attempt;
import io.sluice.internal.Completion;
import io.sluice.metrics.GatewayMetrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedCompletionSinkTest {
  private final List<Completion> published = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final BoundedCompletionSink sink =
      new BoundedCompletionSink(
          (partition, c) -> published.add(c), RecordLimits.DEFAULTS, new GatewayMetrics(registry));

  private static Completion answer(String content) {
    return Completion.newBuilder()
        .setRequestId("r1")
        .setSessionId("s1")
        .setDispatch(1)
        .setOk(true)
        .setContent(content)
        .setToolCalls(List.of())
        .setFinishReason("stop")
        .setUsage(new TokenUsage(10, 300_000, 300_010))
        .setCostUsd(0.5)
        .setProvider("sim")
        .setProviderModel("sim-gpt")
        .setAttempts(
            List.of(new Attempt("sim", "sim-gpt", 0L, 5L, true, 200, null, 10, 300_000, 0.5)))
        .build();
  }

  @Test
  void givenAnAnswerOverTheRecordLimitWhenItIsPublishedThenItBecomesResponseTooLargeWithItsUsage() {
    sink.publish(0, answer("w".repeat(1_100_000)));

    Completion c = published.get(0);
    assertThat(c.getOk()).isFalse();
    assertThat(c.getContent()).isNull();
    assertThat(c.getError().getCode()).isEqualTo("response_too_large");
    assertThat(c.getError().getMessage()).contains("kafka.max_record_bytes");
    assertThat(c.getUsage().getCompletionTokens()).isEqualTo(300_000);
    assertThat(c.getAttempts()).hasSize(1);
    assertThat(c.getCostUsd()).isEqualTo(0.5);
    assertThat(registry.get("sluice.records.bounded").tag("record", "Completion").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void givenAnAnswerUnderTheLimitWhenItIsPublishedThenItGoesOutUnchanged() {
    Completion small = answer("w".repeat(900_000));

    sink.publish(0, small);

    assertThat(published).containsExactly(small);
  }
}
