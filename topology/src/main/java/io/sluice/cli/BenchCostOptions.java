package io.sluice.cli;

import io.sluice.bench.History;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of {@code sluice bench} for the "how cost grows" measurements: requests that carry a
 * history, live sessions filled in before the measurement, and where the gateway's CPU and state
 * are when it runs in a process of its own.
 */
final class BenchCostOptions {
  @Option(
      names = "--history",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Every request carries N earlier messages (user and assistant in turn) before its"
              + " question, as a client keeping its own conversation sends them (default"
              + " ${DEFAULT-VALUE}).")
  int history;

  @Option(
      names = "--history-bytes",
      paramLabel = "M",
      defaultValue = "100",
      description = "Characters of each --history message (default ${DEFAULT-VALUE}).")
  int historyBytes;

  @Option(
      names = "--prefill-sessions",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Before the warm-up, fill the gateway with N live sessions (one request each, with"
              + " use_history and the --history turns; cache hits after the first when the cache"
              + " is on), then report the state on disk and the heap (default ${DEFAULT-VALUE}).")
  long prefillSessions;

  @Option(
      names = "--prefill-in-flight",
      paramLabel = "N",
      defaultValue = "2000",
      description = "Prefill requests outstanding at most (default ${DEFAULT-VALUE}).")
  int prefillInFlight;

  @Option(
      names = "--prefill-timeout-s",
      paramLabel = "S",
      defaultValue = "3600",
      description = "Stop the prefill after this long, filled or not (default ${DEFAULT-VALUE}).")
  int prefillTimeoutS;

  @Option(
      names = "--gateway-pid",
      paramLabel = "PID",
      description =
          "With --bootstrap: the gateway's process (Linux); its CPU over the measured phase goes"
              + " into the summary (cpu.gateway_process_core_ms_per_request).")
  Long gatewayPid;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "With --bootstrap: the gateway's kafka.state_dir, whose size on disk the summary reports"
              + " (the embedded gateway's is known).")
  Path stateDir;

  History historyShape() {
    return history == 0 ? History.NONE : new History(history, historyBytes);
  }

  void validate() {
    historyShape(); // throws on bad values
    if (prefillSessions < 0 || prefillInFlight < 1 || prefillTimeoutS < 1) {
      throw new IllegalArgumentException(
          "--prefill-sessions must be >= 0, --prefill-in-flight and --prefill-timeout-s >= 1");
    }
  }
}
