package io.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.config.SluiceConfig;
import io.sluice.events.ChatMessage;
import io.sluice.internal.Completion;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.provider.HttpReply;
import io.sluice.provider.HttpTransport;
import io.sluice.provider.OpenAiAdapter;
import io.sluice.provider.ProviderClient;
import io.sluice.routing.ModelCatalog;
import io.sluice.routing.Router;
import io.sluice.routing.RoutingSettings;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Headers;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/** A new routing table routes the jobs submitted after it; a job already dispatched keeps its. */
class DispatcherRetableTest {
  private static final String V0 =
      """
      providers:
        a: {type: openai, base_url: "http://127.0.0.1:1/v1"}
        b: {type: openai, base_url: "http://127.0.0.1:2/v1"}
      models:
        gpt: {deployments: [{provider: a, model: m}]}
      """;
  private static final String V1 =
      """
      providers:
        a: {type: openai, base_url: "http://127.0.0.1:1/v1"}
        b: {type: openai, base_url: "http://127.0.0.1:2/v1"}
      models:
        gpt: {deployments: [{provider: b, model: m}], fallbacks: [other]}
        other: {deployments: [{provider: a, model: m2}]}
      """;

  private final Map<String, Completion> completions = new ConcurrentHashMap<>();
  private final HeldTransport a = new HeldTransport();
  private final HeldTransport b = new HeldTransport();
  private final Map<String, ProviderClient> clients =
      Map.of("a", client("a", 1, a), "b", client("b", 2, b));

  @Test
  void shouldRouteNewJobsByTheNewTableWhileADispatchedJobFinishesOnItsOwn() {
    SluiceConfig v0 = SluiceConfig.parse(V0, "v0", Map.of());
    SluiceConfig v1 = SluiceConfig.parse(V1, "v1", Map.of());
    RoutingSettings routing = RoutingSettings.from(v0.routing());
    Router router = new Router(routing);
    HttpDispatcher dispatcher =
        new HttpDispatcher(
            ModelCatalog.from(v0),
            router,
            clients,
            Map.of("a", 4, "b", 4),
            (partition, c) -> completions.put(c.getRequestId(), c),
            100,
            routing,
            new GatewayMetrics(new SimpleMeterRegistry()),
            Clock.systemUTC());
    try {
      // Given a job dispatched to a under version 0, its call still open
      assertThat(dispatcher.submit(job("first"))).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> a.calls.size() == 1);

      // When version 1 moves gpt to b (and adds a fallback)
      dispatcher.retable(ModelCatalog.from(v1), router, clients, Map.of("a", 4, "b", 4), routing);
      assertThat(dispatcher.submit(job("second"))).isTrue();

      // Then the new job goes to b, and the first finishes on a, as dispatched
      await().atMost(Duration.ofSeconds(5)).until(() -> b.calls.size() == 1);
      b.answerAll();
      a.answerAll();
      await().atMost(Duration.ofSeconds(5)).until(() -> completions.size() == 2);
      assertThat(completions.get("first").getProvider()).isEqualTo("a");
      assertThat(completions.get("second").getProvider()).isEqualTo("b");
      assertThat(completions.values()).allMatch(Completion::getOk);
      assertThat(a.calls).hasSize(1);
    } finally {
      dispatcher.close();
    }
  }

  private static ProviderClient client(String name, int port, HttpTransport t) {
    return new ProviderClient(
        name,
        new OpenAiAdapter(name, "http://127.0.0.1:" + port + "/v1", null, Map.of()),
        t,
        Duration.ofSeconds(30));
  }

  private static DispatchJob job(String id) {
    return new DispatchJob(
        id,
        "s-" + id,
        0,
        1,
        "gpt",
        List.of(new ChatMessage("user", "hi", null, null, List.of())),
        null,
        List.of(),
        System.currentTimeMillis() + 60_000,
        5,
        false,
        null,
        null);
  }

  /** A transport whose calls stay open until the test answers them. */
  private static final class HeldTransport implements HttpTransport {
    final List<CompletableFuture<HttpReply>> calls = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<HttpReply> send(Request request, Duration timeout) {
      CompletableFuture<HttpReply> f = new CompletableFuture<>();
      calls.add(f);
      return f;
    }

    void answerAll() {
      String body =
          """
          {"id":"x","object":"chat.completion","created":1,"model":"m",
           "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},
           "finish_reason":"stop"}],
           "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}
          """;
      calls.forEach(
          f -> f.complete(new HttpReply(200, Headers.of(), body.getBytes(StandardCharsets.UTF_8))));
    }

    @Override
    public void close() {}
  }
}
