package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The official {@code openai} npm package, run by Node, against the front door of an in-JVM dev
 * stack: {@code src/test/node/clients.test.mjs} (non-streaming, streaming with usage, streamed tool
 * calls, Idempotency-Key, session history, respond-async, 404, 400, 413, 429, 200 concurrent
 * calls). Skipped when Node or the package ({@code npm ci} in that folder, as {@code .ci/run} does)
 * is missing.
 */
@Tag("integration")
class NodeClientsIT {
  private static final Path DIR = Path.of("src/test/node");
  private static DoorStack stack;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(
        Files.isDirectory(DIR.resolve("node_modules/openai")),
        "run `npm ci` in topology/src/test/node first");
    Assumptions.assumeTrue(nodeWorks(), "node is not on the PATH");
    stack = DoorStack.start("node-clients-it");
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private static boolean nodeWorks() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void shouldPassTheOpenAiNodeSdkSuiteAgainstTheFrontDoor() throws Exception {
    // Given the stack and the Node suite
    Path log = Files.createTempFile("node-clients", ".tap");
    ProcessBuilder pb =
        new ProcessBuilder("node", "--test", "--test-reporter=tap", "clients.test.mjs")
            .directory(DIR.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("SLUICE_BASE_URL", stack.openAiBaseUrl());
    pb.environment().put("SLUICE_KEY", DoorStack.KEY);
    pb.environment().put("SIM_STATS_URL", stack.sim.url() + "/stats");

    // When it runs
    Process node = pb.start();
    boolean ended = node.waitFor(5, TimeUnit.MINUTES);
    if (!ended) {
      node.destroyForcibly();
    }

    // Then every test passed (the TAP report is the failure message)
    String tap = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(tap);
    assertThat(ended).as("the Node suite did not end in 5 minutes").isTrue();
    assertThat(node.exitValue()).as(tap).isZero();
  }
}
