package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.registry.RegistryHttpServer;
import io.sluice.topology.EvolvedRequests;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The gateway against a schema registry over real HTTP (the catalog's REST server), on a real
 * broker: requests written with a schema registered after the gateway started are fetched without
 * blocking its stream thread, wait while the registry is down, and are answered once it is back.
 */
@Tag("integration")
class SchemaRegistryIT {
  private static final CatalogSchemaRegistry CATALOG = CatalogSchemaRegistry.bundled();
  private static EmbeddedKafkaBroker broker;
  private static LlmSimulator sim;
  private static RegistryHttpServer registryServer;
  private static int registryPort;
  private static SluiceApp app;
  private static KafkaProducer<byte[], byte[]> producer;

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
    sim = LlmSimulator.start(LlmSimulator.Options.loopback(0, SimFaults.NONE));
    registryServer = RegistryHttpServer.start(CATALOG, "127.0.0.1", 0);
    registryPort = URI.create(registryServer.url()).getPort();
    Path state = Files.createTempDirectory("sluice-it-state");
    String yaml =
        """
        kafka:
          bootstrap_servers: %s
          application_id: registry-it
          state_dir: %s
        schema_registry:
          url: %s
        topics:
          partitions: 2
        providers:
          ok: {type: openai, base_url: "%s/v1"}
        models:
          gpt: {deployments: [{provider: ok, model: sim-gpt}]}
        http: {port: 0}
        """
            .formatted(broker.bootstrapServers(), state, registryServer.url(), sim.url());
    SluiceConfig config = SluiceConfig.parse(yaml, "registry-it.yaml", Map.of());
    app = Topics.startGateway(broker.bootstrapServers(), config);
    producer = Topics.bytesProducer(broker.bootstrapServers());
  }

  @AfterAll
  static void stop() {
    producer.close();
    app.close();
    registryServer.close();
    sim.close();
    broker.close();
  }

  private static Request request(String id, String text) {
    return Request.newBuilder()
        .setRequestId(id)
        .setSessionId("s-" + id)
        .setTenantId("it")
        .setModel("gpt")
        .setMessages(List.of(new ChatMessage("user", text, null, null, List.of())))
        .setCreatedAt(Instant.now())
        .build();
  }

  private static void send(Request r, byte[] value) {
    producer.send(
        new ProducerRecord<>(
            "llm.requests", r.getSessionId().getBytes(StandardCharsets.UTF_8), value));
    producer.flush();
  }

  private static Response awaitResponse(String id) {
    try (Topics.Reader<Response> reader =
        Topics.responses(broker.bootstrapServers(), "llm.responses")) {
      return await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  reader.poll().stream()
                      .filter(r -> r.getRequestId().equals(id))
                      .findFirst()
                      .orElse(null),
              r -> r != null);
    }
  }

  private static double awaitingSchema() {
    return app.metrics().get("sluice.requests.awaiting.schema").gauge().value();
  }

  @Test
  void givenASchemaRegisteredAfterStartUp_whenARequestUsesIt_thenItIsAnswered() {
    Schema evolved = EvolvedRequests.schema("client_hint");
    int id = EvolvedRequests.register(registryServer.url(), evolved);
    Request r = request("new-schema", "written by a newer producer");

    send(r, EvolvedRequests.framed(id, evolved, r));

    Response response = awaitResponse("new-schema");
    assertThat(response.getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(response.getContent()).isEqualTo("Echo: written by a newer producer");
  }

  @Test
  void givenTheRegistryDown_whenARequestWithANewIdArrives_thenItWaitsAndIsAnsweredOnceItIsBack()
      throws Exception {
    Schema evolved = EvolvedRequests.schema("client_region");
    int id = EvolvedRequests.register(registryServer.url(), evolved);
    Request r = request("registry-down", "asked while the registry is down");
    registryServer.close();
    try {
      send(r, EvolvedRequests.framed(id, evolved, r));

      await().atMost(Duration.ofSeconds(30)).until(() -> awaitingSchema() == 1.0);
      assertThat(Topics.readRaw(broker.bootstrapServers(), "llm.dlq", 1, Duration.ofSeconds(2)))
          .as("not dead-lettered while the registry is down")
          .noneMatch(rec -> isFrom(rec, r));
    } finally {
      registryServer = RegistryHttpServer.start(CATALOG, "127.0.0.1", registryPort);
    }

    Response response = awaitResponse("registry-down");
    assertThat(response.getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(response.getContent()).isEqualTo("Echo: asked while the registry is down");
    await().atMost(Duration.ofSeconds(10)).until(() -> awaitingSchema() == 0.0);
  }

  @Test
  void givenAnIdTheRegistryDoesNotHave_whenARequestCarriesIt_thenItIsADeadLetterNamingTheId() {
    Request r = request("no-such-id", "framed with an id no one registered");
    send(r, EvolvedRequests.framed(987_654, Request.getClassSchema(), r));

    List<ConsumerRecord<byte[], byte[]>> dead =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    Topics.readRaw(broker.bootstrapServers(), "llm.dlq", 1, Duration.ofSeconds(1))
                        .stream()
                        .filter(rec -> isFrom(rec, r))
                        .toList(),
                l -> !l.isEmpty());
    assertThat(header(dead.get(0), "sluice.error.code")).isEqualTo("deserialization");
    assertThat(header(dead.get(0), "sluice.error.message")).contains("schema id 987654");
  }

  private static boolean isFrom(ConsumerRecord<byte[], byte[]> rec, Request r) {
    return rec.key() != null
        && new String(rec.key(), StandardCharsets.UTF_8).equals(r.getSessionId());
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
