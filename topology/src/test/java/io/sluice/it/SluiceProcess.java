package io.sluice.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The built jar run as a user runs it: its own JVM, output in a log file. */
final class SluiceProcess implements AutoCloseable {
  static final Path JAR = Path.of("target/sluice.jar");
  private final Process process;
  private final Path log;

  private SluiceProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static SluiceProcess start(Path log, String... args) throws IOException {
    return start(List.of("-Xmx512m"), log, args);
  }

  /** As {@link #start(Path, String...)}, with these JVM options instead of {@code -Xmx512m}. */
  static SluiceProcess start(List<String> jvmOptions, Path log, String... args) throws IOException {
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(
          JAR.toAbsolutePath() + " is missing: run `./mvnw package` first");
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    Files.createDirectories(log.getParent());
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            // a fresh log per start: awaitOutput must not match an earlier run's lines
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
            .start();
    return new SluiceProcess(p, log);
  }

  /** Waits until the process has printed {@code text}. */
  SluiceProcess awaitOutput(String text, Duration timeout) {
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .failFast("process exited: " + log, () -> !process.isAlive())
        .until(() -> Files.readString(log, StandardCharsets.UTF_8).contains(text));
    return this;
  }

  /** SIGKILL: no shutdown hook, no flush, no commit. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /**
   * SIGTERM, as Ctrl-C or an orchestrator sends it, and waits for the exit: its code, or -1 when it
   * had not exited within {@code timeout} and was killed.
   */
  int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      return process.exitValue();
    }
    process.destroyForcibly().waitFor();
    return -1;
  }

  /** What the process has printed so far. */
  String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
