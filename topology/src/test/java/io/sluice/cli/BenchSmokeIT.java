package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A few seconds of {@code sluice bench} on its embedded stack: a smoke test, no timing asserted.
 */
@Tag("integration")
class BenchSmokeIT {
  @Test
  void shouldPrintAWellFormedSummaryThatCountsEveryRequest() throws Exception {
    Set<Path> stateDirsBefore = benchStateDirs();

    CliRun run =
        CliRun.run(
            "",
            "bench",
            "--rate",
            "50",
            "--warmup-s",
            "1",
            "--duration-s",
            "5",
            "--drain-s",
            "30",
            "--sim-latency-ms",
            "10",
            "--partitions",
            "2",
            "--threads",
            "1");

    assertThat(run.exitCode()).as(run.err()).isZero();
    // the summary is the pretty-printed JSON block on stdout (test logging goes there too)
    String out = run.out();
    String json = out.substring(out.indexOf("\n{\n") + 1, out.lastIndexOf("\n}") + 2);
    JsonNode s = new ObjectMapper().readTree(json);
    assertThat(s.get("sent").asLong()).isPositive();
    assertThat(s.get("answered").asLong()).isEqualTo(s.get("sent").asLong());
    assertThat(s.get("ok").asLong() + s.get("errors").asLong())
        .as("ok and errors count the measured responses, as answered does")
        .isEqualTo(s.get("answered").asLong());
    assertThat(s.get("missing").asLong()).isZero();
    assertThat(s.get("duplicates").asLong()).isZero();
    for (String field :
        new String[] {
          "throughput_rps", "latency_p50_ms", "latency_p99_ms", "overhead_p99_ms", "measured_s"
        }) {
      assertThat(s.has(field)).as(field).isTrue();
    }
    assertThat(run.err()).contains("measure");
    assertThat(benchStateDirs())
        .as("the bench deletes its state directory")
        .isEqualTo(stateDirsBefore);
  }

  @Test
  void shouldFillSessionsSendHistoryAndReportTheGatewaysCpuAndState() throws Exception {
    // Given a bench that first fills 30 sessions, then sends requests with 4 earlier turns
    CliRun run =
        CliRun.run(
            "",
            "bench",
            "--rate",
            "20",
            "--warmup-s",
            "1",
            "--duration-s",
            "3",
            "--sim-latency-ms",
            "10",
            "--partitions",
            "2",
            "--history",
            "4",
            "--history-bytes",
            "512",
            "--prefill-sessions",
            "30",
            "--prefill-in-flight",
            "10");

    // Then every session was filled, nothing is missing, and the summary has the new figures
    assertThat(run.exitCode()).as(run.err()).isZero();
    String out = run.out();
    JsonNode s =
        new ObjectMapper()
            .readTree(out.substring(out.indexOf("\n{\n") + 1, out.lastIndexOf("\n}") + 2));
    assertThat(s.get("prefill").get("sessions_filled").asLong()).isEqualTo(30);
    assertThat(s.get("prefill").get("history_messages").asInt()).isEqualTo(4);
    assertThat(s.get("prefill").get("state_dir_bytes").asLong()).isPositive();
    assertThat(s.get("state_dir_bytes").asLong()).isPositive();
    assertThat(s.get("missing").asLong()).isZero();
    assertThat(s.get("cpu").get("jvm_core_ms_per_request").asDouble()).isPositive();
    assertThat(s.get("cpu").get("gateway_threads_core_ms_per_request").asDouble()).isPositive();
    assertThat(s.get("cpu").get("thread_groups").size()).isPositive();
    assertThat(s.get("gc").has("max_heap_after_gc_mib")).isTrue();
  }

  /** The bench's state directories, where {@code TempDir.createForState} makes them. */
  private static Set<Path> benchStateDirs() throws IOException {
    Set<Path> found = new java.util.HashSet<>();
    for (Path parent :
        List.of(
            io.sluice.dev.TempDir.stateParent(), Path.of(System.getProperty("java.io.tmpdir")))) {
      if (!Files.isDirectory(parent)) {
        continue;
      }
      try (Stream<Path> dirs = Files.list(parent)) {
        dirs.filter(d -> d.getFileName().toString().startsWith("sluice-bench-state-"))
            .forEach(found::add);
      }
    }
    return found;
  }
}
