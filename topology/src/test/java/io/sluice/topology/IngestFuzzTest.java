package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The seeded mutation fuzzer over every {@link FuzzTarget}: no exception may escape. Bounded in the
 * build (a few seconds); longer on demand, e.g. {@code -Dsluice.fuzz.iterations=1000000
 * -Dsluice.fuzz.seed=7}. The coverage-guided run is {@link IngestJazzerFuzzTest}.
 */
class IngestFuzzTest {
  static final int ITERATIONS = Integer.getInteger("sluice.fuzz.iterations", 10_000);
  static final long SEED = Long.getLong("sluice.fuzz.seed", 20_261_126L);

  @Test
  void shouldLetNoExceptionEscapeAnyTargetOnMutatedInputs() {
    for (FuzzTarget target : FuzzTarget.all()) {
      MutationFuzzer.Report report = new MutationFuzzer(target, SEED).run(ITERATIONS);
      System.out.println(report.summary());
      report.findings().forEach(f -> f.thrown().printStackTrace(System.out));

      assertThat(report.findings()).as(report.summary()).isEmpty();
      // the run reached past the decoder: some mutations are read, validated and refused
      assertThat(report.outcomes()).containsKeys("dead-letter", "accepted");
      assertThat(report.outcomes().keySet()).anyMatch(o -> o.startsWith("rejected:"));
    }
  }
}
