package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class DevDemoIT {
  @Test
  void shouldAnswerEveryDemoRequestAndExitZero() {
    CliRun run =
        CliRun.run(
            "",
            "dev",
            "--demo",
            "--port",
            "0",
            "--registry-port",
            "0",
            "--sim-port",
            "0",
            "--http-port",
            "0");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("Kafka bootstrap:", "Schema registry:", "LLM simulator:", "Gateway:");
    List<String> answers = run.outLines().stream().filter(l -> l.startsWith("<- ")).toList();
    assertThat(answers).hasSize(5).allSatisfy(l -> assertThat(l).contains(" OK "));
    assertThat(answers)
        .filteredOn(l -> l.contains("demo-carol-"))
        .singleElement()
        .satisfies(l -> assertThat(l).contains("Tool results: calculator=42"));
    assertThat(run.out()).contains("Tools:            calculator and clock workers");
    assertThat(run.out()).contains("demo-alice-", "demo-bob-");
  }
}
