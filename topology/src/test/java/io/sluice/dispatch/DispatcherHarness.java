package io.sluice.dispatch;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.app.Providers;
import io.sluice.config.SluiceConfig;
import io.sluice.events.ChatMessage;
import io.sluice.events.ResponseChunk;
import io.sluice.internal.Completion;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.routing.ModelCatalog;
import io.sluice.routing.Router;
import io.sluice.routing.RoutingSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A real dispatcher from a YAML config, calling simulators over HTTP, recording completions. */
final class DispatcherHarness implements AutoCloseable {
  final Map<String, Completion> completions = new ConcurrentHashMap<>();
  final List<String> order = Collections.synchronizedList(new ArrayList<>());

  /** The chunks written, by request id, in the order sent. */
  final Map<String, List<ResponseChunk>> chunks = new ConcurrentHashMap<>();

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final HttpDispatcher dispatcher;
  private final Providers providers;

  DispatcherHarness(String yaml) {
    SluiceConfig config = SluiceConfig.parse(yaml, "test.yaml", Map.of());
    providers = Providers.from(config);
    RoutingSettings routing = RoutingSettings.from(config.routing());
    dispatcher =
        new HttpDispatcher(
            ModelCatalog.from(config),
            new Router(routing),
            providers.clients(),
            Providers.maxConcurrency(config),
            (partition, c) -> {
              completions.put(c.getRequestId(), c);
              order.add(c.getRequestId());
            },
            (topic, partition, chunk) ->
                chunks
                    .computeIfAbsent(
                        chunk.getRequestId(), k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(chunk),
            10_000,
            routing,
            new GatewayMetrics(registry),
            Clock.systemUTC());
  }

  DispatchJob job(String id, String model, String text) {
    return job(id, model, text, 5);
  }

  DispatchJob job(String id, String model, String text, int priority) {
    return new DispatchJob(
        id,
        "s-" + id,
        0,
        1,
        model,
        List.of(new ChatMessage("user", text, null, null, List.of())),
        null,
        List.of(),
        System.currentTimeMillis() + 60_000,
        priority,
        false,
        null,
        null);
  }

  /** A job that streams its answer to reply topic {@code replies}. */
  DispatchJob streamJob(String id, String model, String text) {
    DispatchJob j = job(id, model, text);
    return new DispatchJob(
        j.requestId(),
        j.sessionId(),
        j.partition(),
        j.dispatch(),
        j.model(),
        j.messages(),
        j.params(),
        j.tools(),
        j.deadlineMs(),
        j.priority(),
        true,
        "replies",
        0);
  }

  List<ResponseChunk> chunks(String id) {
    return List.copyOf(chunks.getOrDefault(id, List.of()));
  }

  Completion submitAndAwait(DispatchJob job) {
    dispatcher.submit(job);
    return awaitCompletion(job.requestId());
  }

  Completion awaitCompletion(String id) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> completions.containsKey(id));
    return completions.get(id);
  }

  void awaitAll(int n) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> completions.size() >= n);
  }

  @Override
  public void close() {
    dispatcher.close();
    providers.close();
  }
}
