package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice config}: a file that does not validate is refused before Kafka is contacted. */
class ConfigCliTest {
  @Test
  void shouldRefuseAnInvalidFileWithExitTwoNamingTheKeyAndLine(@TempDir Path dir) throws Exception {
    // Given a file whose weight on line 5 is negative (and a broker nobody listens on)
    Path file = dir.resolve("live.yaml");
    Files.writeString(
        file,
        """
        kafka: {bootstrap_servers: "127.0.0.1:1"}
        providers: {a: {type: openai, base_url: "http://127.0.0.1:1/v1"}}
        models:
          gpt:
            deployments: [{provider: a, model: m, weight: -2}]
        """);

    // When it is applied
    CliRun run = CliRun.run("", "config", "apply", file.toString());

    // Then it is refused at once, naming the line and the key
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains(file + " line 5: models.gpt.deployments[0].weight must be >= 0");
    assertThat(run.out()).doesNotContain("applied");
  }

  @Test
  void shouldRefuseAnUnknownKeyWithItsLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("live.yaml");
    Files.writeString(
        file, "kafka: {bootstrap_servers: \"127.0.0.1:1\"}\nrouting:\n  retriez: 3\n");

    CliRun run = CliRun.run("", "config", "apply", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("line 3: unknown key 'routing.retriez'");
  }

  @Test
  void shouldOfferHelpOnApplyAndShow() {
    for (String cmd : new String[] {"apply", "show"}) {
      CliRun run = CliRun.run("", "config", cmd, "--help");
      assertThat(run.exitCode()).as(cmd).isZero();
      assertThat(run.out()).as(cmd).contains("Usage: sluice config " + cmd);
    }
    assertThat(CliRun.run("", "config").exitCode()).isEqualTo(2);
  }
}
