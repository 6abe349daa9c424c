package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class BenchSimCliTest {
  @Test
  void shouldPrintAWellFormedSummaryThatCountsEveryCall() throws Exception {
    CliRun run =
        CliRun.run(
            "",
            "bench",
            "sim",
            "--in-flight",
            "20",
            "--latency-ms",
            "5",
            "--warmup-s",
            "0",
            "--duration-s",
            "1");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode summary = new ObjectMapper().readTree(run.out());
    assertThat(summary.get("errors").asLong()).isZero();
    assertThat(summary.get("completed").asLong()).isPositive();
    assertThat(summary.get("simulator_stats").get("max_in_flight").asLong()).isBetween(1L, 20L);
    assertThat(summary.get("simulator_stats").get("requests").asLong())
        .isGreaterThanOrEqualTo(summary.get("completed").asLong());
    assertThat(summary.get("latency_p50_ms").asDouble()).isGreaterThanOrEqualTo(5.0);
  }
}
