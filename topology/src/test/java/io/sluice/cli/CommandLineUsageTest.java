package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineUsageTest {
  @Test
  void shouldExitTwoWithAMessageOnABadFlag() {
    CliRun run = CliRun.run("", "produce", "--bogus");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown option: '--bogus'");
  }

  @Test
  void givenAnUnknownBenchProfile_whenRun_thenItExitsTwoNamingKafkaProfileBeforeStartingAnything() {
    CliRun run = CliRun.run("", "bench", "--profile", "fastest", "--rate", "10");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("kafka.profile must be one of low_latency, balanced, throughput, not 'fastest'");
  }

  @Test
  void shouldExitTwoOnABadFlagValue() {
    CliRun run = CliRun.run("", "sim", "--port", "0", "--fail-rate", "3");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("fail-rate must be between 0 and 1");
  }

  @Test
  void shouldExitTwoNamingTheKeyOfABadConfigFile(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, "kafka:\n  bootstrap_servers: 127.0.0.1:1\n  bootstrap_servrs: x\n");

    CliRun run = CliRun.run("", "topics", "--config", config.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("line 3: unknown key 'kafka.bootstrap_servrs'");
  }

  @Test
  void shouldExitTwoWhenAModelNamesAProviderThatIsNotConfigured(@TempDir Path dir)
      throws Exception {
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        "providers:\n  a: {type: openai, base_url: http://127.0.0.1:1/v1}\n"
            + "models:\n  m: {deployments: [{provider: b, model: x}]}\n");

    CliRun run = CliRun.run("", "run", "--config", config.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("models.m.deployments[0].provider: unknown provider 'b'");
  }

  @Test
  void shouldExitTwoWhenTheConfigFileIsMissing() {
    CliRun run = CliRun.run("", "run", "--config", "/nonexistent/sluice.yaml");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("config file /nonexistent/sluice.yaml does not exist");
  }

  @Test
  void shouldOfferHelpOnEveryCommand() {
    for (String cmd :
        new String[] {
          "dev", "run", "replay", "broker", "sim", "topics", "produce", "consume", "bench"
        }) {
      CliRun run = CliRun.run("", cmd, "--help");
      assertThat(run.exitCode()).as(cmd).isZero();
      assertThat(run.out()).as(cmd).contains("Usage: sluice " + cmd);
    }
  }

  @Test
  void shouldRequireASubcommand() {
    assertThat(CliRun.run("").exitCode()).isEqualTo(2);
  }
}
