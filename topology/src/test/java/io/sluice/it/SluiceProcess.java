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
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(
          JAR.toAbsolutePath() + " is missing: run `./mvnw package` first");
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-jar", JAR.toString()));
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
