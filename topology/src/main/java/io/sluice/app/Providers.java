package io.sluice.app;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import io.sluice.provider.AnthropicAdapter;
import io.sluice.provider.HttpTransport;
import io.sluice.provider.OkHttpTransport;
import io.sluice.provider.OpenAiAdapter;
import io.sluice.provider.ProviderAdapter;
import io.sluice.provider.ProviderClient;
import io.sluice.provider.netty.NettyTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * The {@link ProviderClient}s of one gateway and the HTTP clients under them, closed together.
 *
 * <p>A provider on {@code http://} (vLLM, Ollama, the simulator) with {@code client: auto}, the
 * default, or any provider with {@code client: netty} (TLS and HTTP/2 by ALPN included), is called
 * through {@link NettyTransport}: event-loop I/O with no thread per call in flight. A provider on
 * {@code https://} with {@code client: auto}, or any with {@code client: okhttp}, goes through
 * okhttp: a thread per call in flight, TLS, HTTP/2 by ALPN, the JVM's proxy settings. The okhttp
 * clients share one dispatcher and connection pool sized from the providers' {@code
 * max_concurrency}, so okhttp never queues calls silently behind its defaults (64 calls, 5 per
 * host); each provider gets a {@code newBuilder()} variant with its own timeouts and protocols.
 */
public final class Providers implements AutoCloseable {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);

  private final OkHttpClient okhttp;
  private EventLoopGroup loop;
  private final Map<String, ProviderClient> clients = new HashMap<>();
  private final Map<String, SluiceConfig.ProviderConfig> configs = new HashMap<>();
  private final Map<String, HttpTransport> transports = new HashMap<>();
  private final List<HttpTransport> retired = new ArrayList<>();

  private Providers(SluiceConfig config) {
    this.okhttp = sharedOkHttp(config);
    config.providers().forEach(this::add);
  }

  private void add(String name, SluiceConfig.ProviderConfig p) {
    Duration timeout = Duration.ofMillis(p.timeoutMs());
    HttpTransport t =
        p.usesNetty()
            ? new NettyTransport(p.baseUrl(), p.http2(), loop(), CONNECT_TIMEOUT, IDLE_TIMEOUT)
            : new OkHttpTransport(okhttp(p, timeout));
    transports.put(name, t);
    configs.put(name, p);
    clients.put(name, new ProviderClient(name, adapter(name, p), t, timeout));
  }

  private EventLoopGroup loop() {
    if (loop == null) {
      loop =
          new MultiThreadIoEventLoopGroup(
              Math.max(1, Runtime.getRuntime().availableProcessors() / 4),
              new DefaultThreadFactory("sluice-http", true),
              NioIoHandler.newFactory());
    }
    return loop;
  }

  /**
   * Brings the clients in line with {@code next} (live configuration): a provider whose config is
   * unchanged keeps its client (connections, HTTP/2 sessions); a new or changed one gets a new
   * client; the ones it replaces or drops wait in {@link #takeRetired} to be closed once the calls
   * still using them are over. Returns the clients now.
   */
  public synchronized Map<String, ProviderClient> update(SluiceConfig next) {
    for (String name : List.copyOf(configs.keySet())) {
      SluiceConfig.ProviderConfig now = next.providers().get(name);
      if (now == null || !now.equals(configs.get(name))) {
        retired.add(transports.remove(name));
        configs.remove(name);
        clients.remove(name);
      }
    }
    next.providers()
        .forEach(
            (name, p) -> {
              if (!configs.containsKey(name)) {
                add(name, p);
              }
            });
    int total = next.providers().values().stream().mapToInt(p -> p.maxConcurrency()).sum();
    int widest =
        next.providers().values().stream().mapToInt(p -> p.maxConcurrency()).max().orElse(5);
    okhttp.dispatcher().setMaxRequests(Math.max(okhttp.dispatcher().getMaxRequests(), total + 16));
    okhttp
        .dispatcher()
        .setMaxRequestsPerHost(Math.max(okhttp.dispatcher().getMaxRequestsPerHost(), widest + 16));
    return Map.copyOf(clients);
  }

  /** The clients replaced so far and not yet handed out for closing; clears the list. */
  public synchronized List<HttpTransport> takeRetired() {
    List<HttpTransport> out = List.copyOf(retired);
    retired.clear();
    return out;
  }

  /** Builds a client per configured provider. */
  public static Providers from(SluiceConfig config) {
    return new Providers(config);
  }

  public synchronized Map<String, ProviderClient> clients() {
    return Map.copyOf(clients);
  }

  private static OkHttpClient sharedOkHttp(SluiceConfig config) {
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
        .connectTimeout(CONNECT_TIMEOUT)
        .retryOnConnectionFailure(false)
        .build();
  }

  private OkHttpClient okhttp(SluiceConfig.ProviderConfig p, Duration timeout) {
    OkHttpClient.Builder b =
        okhttp.newBuilder().callTimeout(timeout).readTimeout(timeout).writeTimeout(timeout);
    if (p.http2() && p.baseUrl().startsWith("http://")) {
      // over https:// okhttp offers HTTP/2 by ALPN by itself; prior knowledge is for cleartext
      b.protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
    }
    return b.build();
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

  @Override
  public synchronized void close() {
    transports.values().forEach(HttpTransport::close);
    retired.forEach(HttpTransport::close);
    if (loop != null) {
      loop.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
    okhttp.dispatcher().executorService().shutdown();
    okhttp.connectionPool().evictAll();
  }
}
