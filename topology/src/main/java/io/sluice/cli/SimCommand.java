package io.sluice.cli;

import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice sim}: the LLM simulator alone. */
@Command(
    name = "sim",
    mixinStandardHelpOptions = true,
    description =
        "Runs the LLM simulator: OpenAI-compatible POST /v1/chat/completions and Anthropic-compatible POST /v1/messages, GET /stats, POST /admin/faults. HTTP/1.1 and HTTP/2 cleartext (h2c) on the same port. Ctrl-C stops it.")
final class SimCommand implements Callable<Integer> {
  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to bind (default ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "P",
      defaultValue = "8000",
      description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(
      names = "--latency-ms",
      paramLabel = "N",
      defaultValue = "0",
      description = "Latency added to every answer (default ${DEFAULT-VALUE}).")
  long latencyMs;

  @Option(
      names = "--jitter-ms",
      paramLabel = "N",
      defaultValue = "0",
      description = "Up to this much more latency, at random (default ${DEFAULT-VALUE}).")
  long jitterMs;

  @Option(
      names = "--fail-rate",
      paramLabel = "F",
      defaultValue = "0",
      description =
          "Fraction of calls that fail, 0 to 1, spread evenly (default ${DEFAULT-VALUE}).")
  double failRate;

  @Option(
      names = "--fail-status",
      paramLabel = "S",
      defaultValue = "500",
      description =
          "Status of a failed call: 429 (with Retry-After), 500, 503, 529, ... or 'hang' (default ${DEFAULT-VALUE}).")
  String failStatus;

  @Option(
      names = "--retry-after-s",
      paramLabel = "N",
      defaultValue = "1",
      description = "Retry-After seconds sent with 429 and 503 (default ${DEFAULT-VALUE}).")
  long retryAfterS;

  @Option(
      names = "--context-window",
      paramLabel = "TOKENS",
      defaultValue = "0",
      description = "Prompts longer than this get a context-window error; 0: no limit (default).")
  int contextWindow;

  @Option(
      names = "--fail-latency-ms",
      paramLabel = "N",
      description =
          "Latency of a failed call instead of --latency-ms (a brown-out: fast 503s, slow answers); default: --latency-ms.")
  Long failLatencyMs;

  @Option(
      names = "--chunk-delay-ms",
      paramLabel = "N",
      defaultValue = "10",
      description =
          "Pause between two events of a streamed answer (stream: true; default ${DEFAULT-VALUE}).")
  long chunkDelayMs;

  @Option(
      names = "--stream-cut-after",
      paramLabel = "N",
      description =
          "Cut every streamed answer's connection after N delta events (0: right after the headers); per request: header x-sim-stream-cut-after. Default: no cut.")
  Integer streamCutAfter;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      description = "Require this key (Authorization: Bearer, or x-api-key); default: accept any.")
  String apiKey;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "0",
      description = "Event-loop threads (default: one per core).")
  int threads;

  @Override
  public Integer call() throws Exception {
    SimFaults faults =
        new SimFaults(
            latencyMs,
            jitterMs,
            failRate,
            failStatus,
            retryAfterS,
            contextWindow,
            failLatencyMs == null ? SimFaults.SAME_LATENCY : failLatencyMs,
            chunkDelayMs,
            streamCutAfter == null ? SimFaults.NO_CUT : streamCutAfter);
    try (ShutdownLatch latch = new ShutdownLatch();
        LlmSimulator sim =
            LlmSimulator.start(new LlmSimulator.Options(host, port, faults, apiKey, threads))) {
      System.out.println("LLM simulator:    " + sim.url());
      System.out.println("  OpenAI:         POST " + sim.url() + "/v1/chat/completions");
      System.out.println("  Anthropic:      POST " + sim.url() + "/v1/messages");
      System.out.println("  Stats:          GET  " + sim.url() + "/stats");
      System.out.println("  Faults:         " + faults.toJson());
      System.out.println("Ready. Ctrl-C to stop.");
      System.out.flush();
      latch.await();
    }
    return SluiceCli.OK;
  }
}
