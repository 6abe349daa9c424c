package io.sluice.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The app's own HTTP endpoints: {@code GET /metrics} (Prometheus text from Micrometer) and {@code
 * GET /health} (200 only while the health check says healthy, 503 otherwise, with the state in a
 * small JSON body). Low traffic: one daemon thread.
 */
public final class AdminHttpServer implements AutoCloseable {
  static {
    // The JDK server delays small responses by ~40 ms (Nagle) unless told otherwise.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpServer server;
  private final ExecutorService executor;

  private AdminHttpServer(HttpServer server, PrometheusMeterRegistry metrics, HealthCheck health) {
    this.server = server;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-admin-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext(
        "/metrics",
        ex -> reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
    server.createContext(
        "/health",
        ex -> {
          HealthCheck.Status s = health.status();
          reply(
              ex,
              s.healthy() ? 200 : 503,
              "application/json",
              "{\"status\":\""
                  + (s.healthy() ? "UP" : "DOWN")
                  + "\",\"state\":\""
                  + s.state()
                  + "\"}");
        });
    server.createContext("/", ex -> reply(ex, 404, "text/plain", "try /metrics or /health\n"));
  }

  /** Starts serving on {@code host:port} (0 picks a free port). */
  public static AdminHttpServer start(
      String host, int port, PrometheusMeterRegistry metrics, HealthCheck health)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
    AdminHttpServer s = new AdminHttpServer(server, metrics, health);
    server.start();
    return s;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url() {
    return "http://" + server.getAddress().getHostString() + ":" + port();
  }

  private static void reply(HttpExchange ex, int status, String type, String body)
      throws IOException {
    try (ex) {
      if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
        status = 405;
        body = "method not allowed\n";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
