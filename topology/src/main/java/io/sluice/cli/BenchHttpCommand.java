package io.sluice.cli;

import io.sluice.bench.http.HttpGatewayBench;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice bench http}: an HTTP gateway (Sluice's front door or another) under load. */
@Command(
    name = "http",
    mixinStandardHelpOptions = true,
    description =
        "Load on an OpenAI- or Anthropic-compatible endpoint: open loop at --rate, or closed loop with --in-flight calls; unique prompts; prints progress, then a JSON summary on stdout.")
final class BenchHttpCommand implements Callable<Integer> {
  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:4000/v1",
      description = "Base URL, up to /v1 (default ${DEFAULT-VALUE}: sluice dev's front door).")
  String url;

  @Option(
      names = "--anthropic",
      description = "POST /messages (Anthropic) instead of /chat/completions.")
  boolean anthropic;

  @Option(
      names = "--model",
      defaultValue = "gpt-4o-mini",
      description = "The model field (default ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = {"-H", "--header"},
      description =
          "A request header, NAME:VALUE (repeatable), e.g. for another gateway's routing.")
  List<String> headers = List.of();

  @Option(
      names = "--rate",
      defaultValue = "0",
      description = "Calls per second, open loop (0: closed loop with --in-flight).")
  int rate;

  @Option(
      names = "--in-flight",
      defaultValue = "256",
      description = "Calls kept in flight in closed loop (default ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(
      names = "--stream",
      description = "Ask for Server-Sent Events; measures time to first content.")
  boolean stream;

  @Option(
      names = "--max-connections",
      defaultValue = "4096",
      description =
          "Open loop: connections at most (default ${DEFAULT-VALUE}); beyond, calls queue in the client and their wait counts.")
  int maxConnections;

  @Option(
      names = "--provider-latency-ms",
      defaultValue = "200",
      description =
          "The provider's own latency, subtracted for the overhead figures (default ${DEFAULT-VALUE}: the simulator's).")
  long providerLatencyMs;

  @Option(
      names = "--warmup-s",
      defaultValue = "20",
      description = "Warm-up, not counted (default ${DEFAULT-VALUE}).")
  int warmupS;

  @Option(
      names = "--duration-s",
      defaultValue = "30",
      description = "Measured time (default ${DEFAULT-VALUE}).")
  int durationS;

  @Override
  public Integer call() throws Exception {
    if (rate < 0 || inFlight < 1 || durationS < 1 || warmupS < 0 || maxConnections < 1) {
      System.err.println(
          "sluice bench http: --rate must be >= 0, --in-flight, --duration-s and --max-connections >= 1, --warmup-s >= 0");
      return SluiceCli.USAGE;
    }
    Map<String, String> h = new LinkedHashMap<>();
    for (String kv : headers) {
      int i = kv.indexOf(':');
      if (i <= 0) {
        System.err.println("sluice bench http: --header wants NAME:VALUE, got '" + kv + "'");
        return SluiceCli.USAGE;
      }
      h.put(kv.substring(0, i).trim(), kv.substring(i + 1).trim());
    }
    HttpGatewayBench bench =
        new HttpGatewayBench(
            new HttpGatewayBench.Options(
                url.endsWith("/") ? url.substring(0, url.length() - 1) : url,
                anthropic,
                model,
                h,
                rate,
                inFlight,
                stream,
                Duration.ofSeconds(warmupS),
                Duration.ofSeconds(durationS),
                maxConnections,
                providerLatencyMs),
            System.err);
    System.out.println(bench.run().toPrettyString());
    return SluiceCli.OK;
  }
}
