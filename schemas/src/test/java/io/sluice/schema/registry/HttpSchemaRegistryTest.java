package io.sluice.schema.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.schema.serde.ConfluentAvroSerde;
import io.sluice.schema.testing.SampleEvents;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpSchemaRegistryTest {

  @Test
  void shouldRegisterLookUpAndFetchAgainstTheServedCatalogOverRealHttp() throws Exception {
    try (RegistryHttpServer server =
            RegistryHttpServer.start(CatalogSchemaRegistry.bundled(), "127.0.0.1", 0);
        HttpSchemaRegistry client =
            new HttpSchemaRegistry(HttpSchemaRegistry.Options.of(server.url()))) {
      // When a bundled schema is registered, then the catalog's id comes back
      assertThat(client.register("llm.requests-value", Request.getClassSchema())).isEqualTo(19);
      // and it can be fetched by id and looked up under its subject
      assertThat(client.byId(20)).isEqualTo(Response.getClassSchema());
      assertThat(client.lookup("llm.responses-value", Response.getClassSchema()))
          .hasValueSatisfying(v -> assertThat(v.id()).isEqualTo(20));
      assertThat(client.latest("llm.cache-value"))
          .hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(4));
      assertThat(client.versions("llm.responses-value")).hasSize(4);
      assertThat(client.subjects()).contains("llm.requests-value", "llm.traces-value");

      // A new schema gets a dynamic id, a new version, and is found again
      Schema other = SchemaBuilder.record("Other").fields().requiredString("a").endRecord();
      int id = client.register("other-value", other);
      assertThat(id).isGreaterThanOrEqualTo(CatalogSchemaRegistry.DYNAMIC_ID_BASE);
      assertThat(client.versions("other-value")).hasSize(1);
      assertThat(client.lookup("nothing-value", other)).isEmpty();
      assertThat(client.latest("nothing-value")).isEmpty();
    }
  }

  @Test
  void shouldLetTheSerdeWorkThroughTheHttpClient() throws Exception {
    try (RegistryHttpServer server =
            RegistryHttpServer.start(CatalogSchemaRegistry.bundled(), "127.0.0.1", 0);
        HttpSchemaRegistry client =
            new HttpSchemaRegistry(HttpSchemaRegistry.Options.of(server.url()))) {
      ConfluentAvroSerde<Request> viaHttp = ConfluentAvroSerde.forValues(Request.class, client);
      byte[] bytes = viaHttp.serialize("llm.requests", SampleEvents.request());

      Request read =
          ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled())
              .deserialize("llm.requests", bytes);

      assertThat(read).isEqualTo(SampleEvents.request());
    }
  }

  @Test
  void shouldKeepRegistrationsInTheDataDirectoryAcrossRestarts(@TempDir Path dir) {
    Schema other = SchemaBuilder.record("Kept").fields().requiredLong("n").endRecord();
    int id = CatalogSchemaRegistry.persistent(dir).register("kept-value", other);

    CatalogSchemaRegistry reopened = CatalogSchemaRegistry.persistent(dir);

    assertThat(reopened.byId(id)).isEqualTo(other);
    assertThat(reopened.latest("kept-value"))
        .hasValueSatisfying(v -> assertThat(v.id()).isEqualTo(id));
    Schema third = SchemaBuilder.record("Third").fields().requiredLong("n").endRecord();
    assertThat(reopened.register("third-value", third)).isEqualTo(id + 1);
  }

  @Test
  void shouldSendBasicAuthAndCacheSchemasById() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(
          new MockResponse.Builder()
              .code(200)
              .body("{\"schema\":" + quote(Request.getClassSchema().toString()) + "}")
              .build());
      server.start();
      String url = server.url("/").toString();
      try (HttpSchemaRegistry client =
          new HttpSchemaRegistry(new HttpSchemaRegistry.Options(url, "alice:s3cret", null))) {
        assertThat(client.byId(7)).isEqualTo(Request.getClassSchema());
        assertThat(client.byId(7)).isEqualTo(Request.getClassSchema());
      }
      RecordedRequest recorded = server.takeRequest();
      assertThat(recorded.getTarget()).isEqualTo("/schemas/ids/7");
      assertThat(recorded.getHeaders().get("Authorization")).isEqualTo("Basic YWxpY2U6czNjcmV0");
      assertThat(server.getRequestCount()).isEqualTo(1);
    }
  }

  @Test
  void shouldSurfaceTheRegistryErrorCodeAndMessage() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(
          new MockResponse.Builder()
              .code(409)
              .body("{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}")
              .build());
      server.start();
      try (HttpSchemaRegistry client =
          new HttpSchemaRegistry(
              new HttpSchemaRegistry.Options(server.url("/").toString(), null, "tok"))) {
        assertThatThrownBy(() -> client.register("x-value", Request.getClassSchema()))
            .isInstanceOf(SchemaRegistryException.class)
            .hasMessageContaining("HTTP 409")
            .hasMessageContaining("incompatible");
      }
      assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer tok");
    }
  }

  @Test
  void givenTheServedCatalog_whenAnIdIsFetchedWithoutBlocking_thenItComesOnceThenFromTheCache()
      throws Exception {
    try (RegistryHttpServer server =
            RegistryHttpServer.start(CatalogSchemaRegistry.bundled(), "127.0.0.1", 0);
        HttpSchemaRegistry client =
            new HttpSchemaRegistry(HttpSchemaRegistry.Options.of(server.url()))) {
      assertThat(client.byIdAsync(20).get(10, TimeUnit.SECONDS))
          .isEqualTo(Response.getClassSchema());
      var again = client.byIdAsync(20);
      assertThat(again).as("served from the cache, without I/O").isCompleted();
      assertThat(again.get()).isEqualTo(Response.getClassSchema());

      assertThatThrownBy(() -> client.byIdAsync(4242).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              SchemaRegistryException.class, e -> assertThat(e.schemaNotFound()).isTrue());
    }
  }

  @Test
  void givenAFetchInFlight_whenTheIdIsAskedAgain_thenOneCallServesBothAndAFailureIsAskedAnew()
      throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().code(503).body("{\"error_code\":50301}").build());
      server.enqueue(
          new MockResponse.Builder()
              .body("{\"schema\":" + quote(Request.getClassSchema().toString()) + "}")
              .headersDelay(200, TimeUnit.MILLISECONDS)
              .build());
      server.start();
      try (HttpSchemaRegistry client =
          new HttpSchemaRegistry(HttpSchemaRegistry.Options.of(server.url("/").toString()))) {
        assertThatThrownBy(() -> client.byIdAsync(7).get(10, TimeUnit.SECONDS))
            .cause()
            .isInstanceOfSatisfying(
                SchemaRegistryException.class, e -> assertThat(e.schemaNotFound()).isFalse());

        var first = client.byIdAsync(7);
        var second = client.byIdAsync(7);

        assertThat(second).isSameAs(first);
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(Request.getClassSchema());
        assertThat(server.getRequestCount()).as("one call per ask after the failure").isEqualTo(2);
      }
    }
  }

  @Test
  void givenNoRegistryListening_whenAnIdIsFetchedWithoutBlocking_thenItFailsAsWorthRetrying()
      throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (HttpSchemaRegistry client =
        new HttpSchemaRegistry(HttpSchemaRegistry.Options.of("http://127.0.0.1:" + port))) {
      assertThatThrownBy(() -> client.byIdAsync(7).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> {
                assertThat(e.schemaNotFound()).isFalse();
                assertThat(e.getMessage()).contains("unreachable");
              });
    }
  }

  private static String quote(String s) {
    return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(s).toString();
  }
}
