package io.sluice.schema.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.avro.Schema;

/**
 * A client of any Confluent-compatible schema registry (Confluent, Karapace, Redpanda, Apicurio's
 * ccompat API) over its REST API.
 *
 * <p>Ids and schemas are cached for the life of the client: a registry never changes the schema
 * behind an id, so a lookup does I/O once per subject and schema. Calls block, except {@link
 * #byIdAsync}, which runs on okhttp's dispatcher threads: a stream thread that meets a new schema
 * id asks for it that way, and the gateway registers its own schemas at start-up.
 */
public final class HttpSchemaRegistry implements SchemaRegistry {
  private static final MediaType JSON = MediaType.get("application/vnd.schemaregistry.v1+json");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** How to reach a registry: base URL and optional basic or bearer credentials. */
  public record Options(String url, String basicAuthUserInfo, String bearerToken) {
    public static Options of(String url) {
      return new Options(url, null, null);
    }
  }

  private final OkHttpClient http;
  private final HttpUrl base;
  private final String authorization;
  private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();

  /** Fetches in flight, so that many records with one new id make one call. */
  private final Map<Integer, CompletableFuture<Schema>> fetching = new ConcurrentHashMap<>();

  public HttpSchemaRegistry(Options options) {
    this(options, defaultClient());
  }

  public HttpSchemaRegistry(Options options, OkHttpClient http) {
    HttpUrl parsed = HttpUrl.parse(options.url());
    if (parsed == null) {
      throw new IllegalArgumentException("not an http(s) URL: " + options.url());
    }
    this.base = parsed;
    this.http = http;
    this.authorization = authorization(options, parsed);
  }

  private static OkHttpClient defaultClient() {
    return new OkHttpClient.Builder()
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(10))
        .writeTimeout(Duration.ofSeconds(10))
        .callTimeout(Duration.ofSeconds(30))
        .build();
  }

  private static String authorization(Options options, HttpUrl url) {
    if (options.bearerToken() != null && !options.bearerToken().isBlank()) {
      return "Bearer " + options.bearerToken();
    }
    String userInfo = options.basicAuthUserInfo();
    if ((userInfo == null || userInfo.isBlank()) && !url.username().isEmpty()) {
      userInfo = url.username() + ":" + url.password();
    }
    if (userInfo == null || userInfo.isBlank()) {
      return null;
    }
    int colon = userInfo.indexOf(':');
    return colon < 0
        ? Credentials.basic(userInfo, "", StandardCharsets.UTF_8)
        : Credentials.basic(
            userInfo.substring(0, colon), userInfo.substring(colon + 1), StandardCharsets.UTF_8);
  }

  @Override
  public int register(String subject, Schema schema) {
    String key = subject + "\u0000" + SchemaFingerprint.of(schema);
    Integer cached = ids.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode reply = call("POST", "subjects/" + encode(subject) + "/versions", body(schema));
    int id = reply.path("id").asInt();
    schemas.putIfAbsent(id, schema);
    ids.put(key, id);
    return id;
  }

  @Override
  public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
    try {
      JsonNode reply = call("POST", "subjects/" + encode(subject), body(schema));
      return Optional.of(toRegistered(reply, subject));
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == 40401 || e.errorCode() == 40403) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public Schema byId(int id) {
    Schema cached = schemas.get(id);
    if (cached != null) {
      return cached;
    }
    return byIdReply(id, call("GET", "schemas/ids/" + id, null));
  }

  @Override
  public CompletableFuture<Schema> byIdAsync(int id) {
    Schema cached = schemas.get(id);
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    CompletableFuture<Schema> mine = new CompletableFuture<>();
    CompletableFuture<Schema> asked = fetching.putIfAbsent(id, mine);
    if (asked != null) {
      return asked;
    }
    // may complete at once on this thread (a refused connection is quick): outside any map update
    callAsync("GET", "schemas/ids/" + id)
        .thenApply(reply -> byIdReply(id, reply))
        .whenComplete(
            (schema, e) -> {
              fetching.remove(id, mine);
              if (e == null) {
                mine.complete(schema);
              } else {
                mine.completeExceptionally(
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
              }
            });
    return mine;
  }

  private Schema byIdReply(int id, JsonNode reply) {
    String type = reply.path("schemaType").asText("AVRO");
    if (!"AVRO".equals(type)) {
      throw new SchemaRegistryException("schema " + id + " is " + type + ", not AVRO", 40403);
    }
    Schema schema = new Schema.Parser().parse(reply.path("schema").asText());
    Schema before = schemas.putIfAbsent(id, schema);
    return before == null ? schema : before;
  }

  @Override
  public Optional<RegisteredSchema> latest(String subject) {
    try {
      return Optional.of(
          toRegistered(
              call("GET", "subjects/" + encode(subject) + "/versions/latest", null), subject));
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == 40401) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public List<RegisteredSchema> versions(String subject) {
    List<RegisteredSchema> out = new ArrayList<>();
    JsonNode numbers;
    try {
      numbers = call("GET", "subjects/" + encode(subject) + "/versions", null);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == 40401) {
        return out;
      }
      throw e;
    }
    for (JsonNode n : numbers) {
      out.add(
          toRegistered(
              call("GET", "subjects/" + encode(subject) + "/versions/" + n.asInt(), null),
              subject));
    }
    return out;
  }

  @Override
  public List<String> subjects() {
    List<String> out = new ArrayList<>();
    call("GET", "subjects", null).forEach(n -> out.add(n.asText()));
    out.sort(null);
    return out;
  }

  private RegisteredSchema toRegistered(JsonNode reply, String subject) {
    int id = reply.path("id").asInt();
    Schema schema =
        reply.hasNonNull("schema")
            ? new Schema.Parser().parse(reply.path("schema").asText())
            : byId(id);
    schemas.putIfAbsent(id, schema);
    return new RegisteredSchema(subject, reply.path("version").asInt(), id, schema);
  }

  private static RequestBody body(Schema schema) {
    ObjectNode node = MAPPER.createObjectNode().put("schema", schema.toString());
    return RequestBody.create(node.toString(), JSON);
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode call(String method, String path, RequestBody body) {
    Request request = request(method, path, body);
    try (Response response = http.newCall(request).execute()) {
      return reply(request, response);
    } catch (IOException e) {
      throw unreachable(request, e);
    }
  }

  /** {@link #call} on okhttp's dispatcher: the caller's thread only enqueues the request. */
  private CompletableFuture<JsonNode> callAsync(String method, String path) {
    Request request = request(method, path, null);
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    http.newCall(request)
        .enqueue(
            new Callback() {
              @Override
              public void onFailure(Call call, IOException e) {
                f.completeExceptionally(unreachable(request, e));
              }

              @Override
              public void onResponse(Call call, Response response) {
                try (response) {
                  f.complete(reply(request, response));
                } catch (IOException e) {
                  f.completeExceptionally(unreachable(request, e));
                } catch (RuntimeException e) {
                  f.completeExceptionally(e);
                }
              }
            });
    return f;
  }

  private Request request(String method, String path, RequestBody body) {
    HttpUrl url = base.newBuilder().addEncodedPathSegments(path).build();
    Request.Builder request =
        new Request.Builder().url(url).header("Accept", JSON.toString()).method(method, body);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return request.build();
  }

  private static JsonNode reply(Request request, Response response) throws IOException {
    String text = response.body().string();
    if (!response.isSuccessful()) {
      JsonNode error = parseOrNull(text);
      int code = error == null ? response.code() : error.path("error_code").asInt(response.code());
      String message = error == null ? text : error.path("message").asText(text);
      throw new SchemaRegistryException(
          request.method()
              + " "
              + redacted(request.url())
              + " failed with HTTP "
              + response.code()
              + ": "
              + message,
          code);
    }
    return MAPPER.readTree(text);
  }

  private static SchemaRegistryException unreachable(Request request, IOException e) {
    return new SchemaRegistryException(
        "schema registry " + redacted(request.url()) + " unreachable: " + e.getMessage(), e);
  }

  private static String redacted(HttpUrl url) {
    return url.newBuilder().username("").password("").build().toString();
  }

  private static JsonNode parseOrNull(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }
}
