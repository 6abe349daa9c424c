package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
    assertThat(run.outLines().stream().filter(l -> l.startsWith("<- ")))
        .hasSize(4)
        .allSatisfy(l -> assertThat(l).contains(" OK ").contains("Echo: "));
    assertThat(run.out()).contains("demo-alice-", "demo-bob-");
  }
}
