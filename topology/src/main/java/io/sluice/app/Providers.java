package io.sluice.app;

import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import io.sluice.provider.AnthropicAdapter;
import io.sluice.provider.OpenAiAdapter;
import io.sluice.provider.ProviderAdapter;
import io.sluice.provider.ProviderClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * Builds one {@link ProviderClient} per configured provider. They share one okhttp client (one
 * dispatcher, one connection pool) sized from the providers' {@code max_concurrency}, so okhttp
 * never queues calls silently behind its defaults (64 calls, 5 per host); each provider gets a
 * {@code newBuilder()} variant with its own timeouts and protocols.
 */
public final class Providers {
  private Providers() {}

  public static OkHttpClient sharedClient(SluiceConfig config) {
    int total = 0;
    int widest = 5;
    for (SluiceConfig.ProviderConfig p : config.providers().values()) {
      total += p.maxConcurrency();
      widest = Math.max(widest, p.maxConcurrency());
    }
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(Math.max(64, total + 16));
    dispatcher.setMaxRequestsPerHost(Math.max(5, widest + 16));
    return new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        .connectionPool(new ConnectionPool(Math.max(5, total), 5, TimeUnit.MINUTES))
        .connectTimeout(Duration.ofSeconds(10))
        .retryOnConnectionFailure(false)
        .build();
  }

  public static Map<String, ProviderClient> clients(SluiceConfig config, OkHttpClient shared) {
    Map<String, ProviderClient> clients = new HashMap<>();
    config
        .providers()
        .forEach(
            (name, p) -> {
              Duration timeout = Duration.ofMillis(p.timeoutMs());
              OkHttpClient.Builder b =
                  shared
                      .newBuilder()
                      .callTimeout(timeout)
                      .readTimeout(timeout)
                      .writeTimeout(timeout);
              if (p.http2()) {
                b.protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
              }
              clients.put(name, new ProviderClient(name, adapter(name, p), b.build(), timeout));
            });
    return clients;
  }

  private static ProviderAdapter adapter(String name, SluiceConfig.ProviderConfig p) {
    return switch (p.type()) {
      case "openai" -> new OpenAiAdapter(name, p.baseUrl(), p.apiKey(), p.headers());
      case "anthropic" -> new AnthropicAdapter(name, p.baseUrl(), p.apiKey(), p.headers());
      default ->
          throw new ConfigException(
              "providers."
                  + name
                  + ".type: '"
                  + p.type()
                  + "' is not supported (openai, anthropic)");
    };
  }

  public static Map<String, Integer> maxConcurrency(SluiceConfig config) {
    Map<String, Integer> m = new HashMap<>();
    config.providers().forEach((name, p) -> m.put(name, p.maxConcurrency()));
    return m;
  }
}
