package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.keys.VirtualKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KeysCommandTest {
  private static KeysCreateCommand parse(String... args) {
    KeysCreateCommand c = new KeysCreateCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void shouldTurnTheCreateOptionsIntoAKeyRecord() {
    // Given every option of keys create
    KeysCreateCommand c =
        parse(
            "--tenant",
            "acme",
            "--name",
            "ci bot",
            "--models",
            "gpt, claude,",
            "--rpm",
            "100",
            "--tpm",
            "20000",
            "--max-parallel",
            "4",
            "--budget-usd",
            "12.5",
            "--budget-period",
            "month");

    // When it becomes a key
    VirtualKey k = c.toKey("key_0123456789abcdef", "a".repeat(64), 42);

    // Then each option is in its field
    assertThat(k)
        .isEqualTo(
            new VirtualKey(
                "key_0123456789abcdef",
                "a".repeat(64),
                "acme",
                "ci bot",
                List.of("gpt", "claude"),
                100L,
                20_000L,
                4,
                12.5,
                "month",
                42,
                null));
  }

  @Test
  void shouldRefuseOptionsOutOfBoundsNamingTheOption() {
    assertThatThrownBy(() -> parse("--tenant", "acme", "--budget-usd", "5").toKey("k", hex(), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--budget-usd");
    assertThatThrownBy(
            () ->
                parse("--tenant", "acme", "--budget-usd", "5", "--budget-period", "week")
                    .toKey("k", hex(), 1))
        .hasMessageContaining("day or month");
    assertThatThrownBy(() -> parse("--tenant", "acme", "--rpm", "0").toKey("k", hex(), 1))
        .hasMessageContaining("--rpm");
    assertThatThrownBy(() -> parse("--tenant", " ").toKey("k", hex(), 1))
        .hasMessageContaining("--tenant");
  }

  @Test
  void shouldExitWith2OnBadUsageBeforeTouchingKafka() {
    // no broker listens on port 1: each of these must fail before connecting
    CliRun noTenant = CliRun.run("", "keys", "create", "--bootstrap", "127.0.0.1:1");
    assertThat(noTenant.exitCode()).isEqualTo(SluiceCli.USAGE);
    assertThat(noTenant.err()).contains("--tenant");

    CliRun badBudget =
        CliRun.run(
            "",
            "keys",
            "create",
            "--bootstrap",
            "127.0.0.1:1",
            "--tenant",
            "t",
            "--budget-period",
            "day");
    assertThat(badBudget.exitCode()).isEqualTo(SluiceCli.USAGE);
    assertThat(badBudget.err()).contains("go together");

    CliRun noSubcommand = CliRun.run("", "keys");
    assertThat(noSubcommand.exitCode()).isEqualTo(SluiceCli.USAGE);

    CliRun noId = CliRun.run("", "keys", "revoke");
    assertThat(noId.exitCode()).isEqualTo(SluiceCli.USAGE);
  }

  @Test
  void shouldListAKeyWithoutItsHash() {
    VirtualKey k = parse("--tenant", "acme", "--models", "gpt").toKey("key_1", hex(), 1000);
    assertThat(KeysListCommand.row(k)).contains("key_1", "acme", "gpt").doesNotContain(hex());
    assertThat(KeysListCommand.json(k))
        .contains("\"id\":\"key_1\"", "\"tenant\":\"acme\"")
        .doesNotContain("sha256")
        .doesNotContain(hex());
  }

  private static String hex() {
    return "b".repeat(64);
  }
}
