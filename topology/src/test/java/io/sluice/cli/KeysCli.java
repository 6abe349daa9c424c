package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** {@code sluice keys} run in this JVM, for tests outside this package. */
public final class KeysCli {
  private KeysCli() {}

  /** A created key: its secret (line 1 of the output) and its id. */
  public record Created(String key, String id) {}

  /** {@code sluice keys create ARGS}, which must succeed. */
  public static Created create(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "keys";
    all[1] = "create";
    System.arraycopy(args, 0, all, 2, args.length);
    CliRun run = CliRun.run("", all);
    assertThat(run.exitCode()).as(run.err()).isZero();
    // other threads may log to stdout meanwhile: pick the command's two lines
    List<String> keys = run.outLines().stream().filter(l -> l.startsWith("sk-sluice-")).toList();
    List<String> ids = run.outLines().stream().filter(l -> l.startsWith("id key_")).toList();
    assertThat(keys).hasSize(1);
    assertThat(ids).hasSize(1);
    return new Created(keys.get(0), ids.get(0).substring(3));
  }

  /** {@code sluice keys ARGS}, which must succeed; its output. */
  public static String run(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "keys";
    System.arraycopy(args, 0, all, 1, args.length);
    CliRun run = CliRun.run("", all);
    assertThat(run.exitCode()).as(run.err()).isZero();
    return run.out();
  }
}
