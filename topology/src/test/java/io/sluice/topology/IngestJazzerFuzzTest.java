package io.sluice.topology;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Coverage-guided fuzzing (Jazzer) of the same targets as {@link IngestFuzzTest}, on demand only:
 * {@code JAZZER_FUZZ=1 ./mvnw -B -pl topology -am -DskipITs -Dtest=IngestJazzerFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false test} (one method per JVM; {@code
 * -Djazzer.max_duration=10m} for longer). Skipped in a normal build: Jazzer's agent instruments
 * every class the JVM loads after it starts, which made this module's unit tests a minute slower;
 * the seeded {@link IngestFuzzTest} replays the seeds, and every past finding is a unit test. The
 * corpus Jazzer grows goes to {@code topology/.cifuzz-corpus} (ignored by git).
 */
@EnabledIfEnvironmentVariable(named = "JAZZER_FUZZ", matches = ".+")
class IngestJazzerFuzzTest {
  private static final FuzzTarget INGEST = new IngestFuzzTarget();

  @FuzzTest(maxDuration = "2m")
  void ingest(byte[] input) {
    FuzzTarget.runBounded(INGEST, input);
  }
}
