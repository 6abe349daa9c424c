package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class DevDemoIT {
  /**
   * WARN lines a clean {@code sluice dev --demo} may still print, each matched by a part of its
   * text, with the reason. Empty since the default state directory left the OS temp directory
   * (Kafka Streams' "Using an OS temp directory in the state.dir property" was the last entry).
   */
  private static final List<String> ALLOWED_WARNINGS = List.of();

  private static final String[] DEMO = {
    "dev",
    "--demo",
    "--port",
    "0",
    "--registry-port",
    "0",
    "--sim-port",
    "0",
    "--http-port",
    "0",
    "--front-door-port",
    "0"
  };

  @Test
  void shouldAnswerEveryDemoRequestAndExitZero() {
    CliRun run = CliRun.run("", DEMO);

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("Kafka bootstrap:", "Schema registry:", "LLM simulator:", "Gateway:")
        .contains("OpenAI base URL: http://127.0.0.1:");
    List<String> answers = run.outLines().stream().filter(l -> l.startsWith("<- ")).toList();
    assertThat(answers).hasSize(5).allSatisfy(l -> assertThat(l).contains(" OK "));
    assertThat(answers)
        .filteredOn(l -> l.contains("demo-carol-"))
        .singleElement()
        .satisfies(l -> assertThat(l).contains("Tool results: calculator=42"));
    assertThat(run.out()).contains("Tools:            calculator and clock workers");
    assertThat(run.out()).contains("demo-alice-", "demo-bob-");
  }

  @Test
  void givenTheJarRunAsAUserRunsItWhenTheDemoRunsThenNoWarningIsPrinted(@TempDir Path dir)
      throws Exception {
    // Given the built jar in its own JVM, with the default log levels
    Path jar = Path.of("target/sluice.jar");
    assertThat(jar).as("run `./mvnw package` first").exists();
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-jar", jar.toString()));
    cmd.addAll(List.of(DEMO));
    Path log = dir.resolve("dev-demo.log");
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("KAFKA_LOG_LEVEL");
    pb.environment().remove("SLUICE_LOG_LEVEL");

    // When the demo runs to its end
    Process p = pb.start();
    boolean exited = p.waitFor(5, TimeUnit.MINUTES);
    if (!exited) {
      p.destroyForcibly().waitFor();
    }

    // Then it answered, and printed no WARN line but the allowed ones
    String output = read(log);
    assertThat(exited).as("the demo ended within 5 minutes:%n%s", output).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output.lines().filter(l -> l.startsWith("<- ")).toList())
        .hasSize(5)
        .allSatisfy(l -> assertThat(l).contains(" OK "));
    List<String> warnings =
        output
            .lines()
            .filter(l -> l.contains(" WARN "))
            .filter(l -> ALLOWED_WARNINGS.stream().noneMatch(l::contains))
            .toList();
    assertThat(warnings).as("WARN lines of a clean start:%n%s", output).isEmpty();
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }
}
