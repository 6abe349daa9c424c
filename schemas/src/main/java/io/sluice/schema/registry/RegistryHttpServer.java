package io.sluice.schema.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link SchemaRegistry} (in practice the catalog) over the Confluent REST subset that
 * serdes and Flink's {@code avro-confluent} format use, bound to loopback.
 *
 * <p>{@code POST /subjects/{s}/versions}, {@code POST /subjects/{s}}, {@code GET
 * /schemas/ids/{id}}, {@code GET /subjects}, {@code GET /subjects/{s}/versions[/{v}|/latest]},
 * {@code GET /config}.
 */
public final class RegistryHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RegistryHttpServer.class);
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final SchemaRegistry registry;
  private final HttpServer server;
  private final ExecutorService executor;

  private RegistryHttpServer(SchemaRegistry registry, HttpServer server) {
    this.registry = registry;
    this.server = server;
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "sluice-registry-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Starts serving on 127.0.0.1:{@code port} (0 picks a free port). */
  public static RegistryHttpServer start(SchemaRegistry registry, String host, int port)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
    RegistryHttpServer s = new RegistryHttpServer(registry, server);
    server.start();
    return s;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url() {
    return "http://" + server.getAddress().getHostString() + ":" + port();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Reply reply;
      try {
        reply = route(exchange);
      } catch (SchemaRegistryException e) {
        int status = e.errorCode() >= 40000 ? e.errorCode() / 100 : 500;
        reply = error(status, e.errorCode(), e.getMessage());
      } catch (SchemaParseException | IllegalArgumentException e) {
        reply = error(422, 42201, "Invalid schema: " + e.getMessage());
      } catch (RuntimeException e) {
        log.warn("registry request {} failed", exchange.getRequestURI(), e);
        reply = error(500, 50001, "Error in the backend data store: " + e.getMessage());
      }
      byte[] body = MAPPER.writeValueAsBytes(reply.body());
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      exchange.sendResponseHeaders(reply.status(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private record Reply(int status, JsonNode body) {}

  private Reply route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String[] p = segments(exchange.getRequestURI().getRawPath());
    if (p.length == 0) {
      return ok(MAPPER.createObjectNode());
    }
    if (p[0].equals("config") && method.equals("GET")) {
      return ok(MAPPER.createObjectNode().put("compatibilityLevel", "BACKWARD"));
    }
    if (p[0].equals("schemas") && p.length == 3 && p[1].equals("ids") && method.equals("GET")) {
      int id = parseId(p[2]);
      return ok(MAPPER.createObjectNode().put("schema", registry.byId(id).toString()));
    }
    if (p[0].equals("subjects")) {
      if (p.length == 1 && method.equals("GET")) {
        ArrayNode arr = MAPPER.createArrayNode();
        registry.subjects().forEach(arr::add);
        return ok(arr);
      }
      String subject = p[1];
      if (p.length == 2 && method.equals("POST")) {
        Optional<RegisteredSchema> found = registry.lookup(subject, readSchema(exchange));
        if (found.isEmpty()) {
          return registry.subjects().contains(subject)
              ? error(404, 40403, "Schema not found")
              : error(404, 40401, "Subject '" + subject + "' not found.");
        }
        return ok(toJson(found.get()));
      }
      if (p.length == 3 && p[2].equals("versions") && method.equals("POST")) {
        int id = registry.register(subject, readSchema(exchange));
        return ok(MAPPER.createObjectNode().put("id", id));
      }
      if (p.length == 3 && p[2].equals("versions") && method.equals("GET")) {
        List<RegisteredSchema> versions = registry.versions(subject);
        if (versions.isEmpty()) {
          return error(404, 40401, "Subject '" + subject + "' not found.");
        }
        ArrayNode arr = MAPPER.createArrayNode();
        versions.forEach(v -> arr.add(v.version()));
        return ok(arr);
      }
      if (p.length == 4 && p[2].equals("versions") && method.equals("GET")) {
        List<RegisteredSchema> versions = registry.versions(subject);
        if (versions.isEmpty()) {
          return error(404, 40401, "Subject '" + subject + "' not found.");
        }
        Optional<RegisteredSchema> v =
            p[3].equals("latest") || p[3].equals("-1")
                ? Optional.of(versions.get(versions.size() - 1))
                : versions.stream()
                    .filter(x -> p[3].equals(String.valueOf(x.version())))
                    .findFirst();
        return v.map(x -> ok(toJson(x)))
            .orElseGet(() -> error(404, 40402, "Version " + p[3] + " not found."));
      }
    }
    return error(404, 404, "HTTP 404 Not Found: " + method + " " + exchange.getRequestURI());
  }

  private static String[] segments(String rawPath) {
    String[] parts =
        java.util.Arrays.stream(rawPath.split("/"))
            .filter(s -> !s.isEmpty())
            .toArray(String[]::new);
    for (int i = 0; i < parts.length; i++) {
      parts[i] = URLDecoder.decode(parts[i], StandardCharsets.UTF_8);
    }
    return parts;
  }

  private static int parseId(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new SchemaRegistryException("schema " + text + " not found", 40403);
    }
  }

  private static Schema readSchema(HttpExchange exchange) throws IOException {
    JsonNode body;
    try (InputStream in = exchange.getRequestBody()) {
      body = MAPPER.readTree(in);
    }
    if (body == null || !body.hasNonNull("schema")) {
      throw new IllegalArgumentException("the body must be {\"schema\": \"...\"}");
    }
    String type = body.path("schemaType").asText("AVRO");
    if (!type.equals("AVRO")) {
      throw new IllegalArgumentException("only AVRO schemas are served here, not " + type);
    }
    return new Schema.Parser().parse(body.get("schema").asText());
  }

  private static ObjectNode toJson(RegisteredSchema s) {
    return MAPPER
        .createObjectNode()
        .put("subject", s.subject())
        .put("version", s.version())
        .put("id", s.id())
        .put("schema", s.schema().toString());
  }

  private static Reply ok(JsonNode body) {
    return new Reply(200, body);
  }

  private static Reply error(int status, int code, String message) {
    return new Reply(
        status, MAPPER.createObjectNode().put("error_code", code).put("message", message));
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
