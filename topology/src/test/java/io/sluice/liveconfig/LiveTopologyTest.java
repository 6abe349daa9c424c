package io.sluice.liveconfig;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dispatch.DispatchJob;
import io.sluice.dispatch.Dispatcher;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.topology.EventSerdes;
import io.sluice.topology.GatewayTopology;
import io.sluice.topology.TopologySpec;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/** The topology built once reads models and tenants from the config in force, per request. */
class LiveTopologyTest {
  private static final String BOOTSTRAP =
      """
      providers: {a: {type: openai, base_url: "http://127.0.0.1:1/v1"}}
      models: {gpt: {deployments: [{provider: a, model: m}]}}
      tenants: {acme: {models: [gpt]}}
      """;
  private static final String V1 =
      """
      providers: {a: {type: openai, base_url: "http://127.0.0.1:1/v1"}}
      models:
        gpt: {deployments: [{provider: a, model: m}]}
        gpt2: {deployments: [{provider: a, model: m2}]}
      tenants: {acme: {models: ["*"]}, beta: {models: [gpt]}}
      """;

  private final List<DispatchJob> jobs = new CopyOnWriteArrayList<>();

  @Test
  void shouldAdmitANewModelAndTenantOnceTheirVersionIsInForceWithoutANewTopology()
      throws Exception {
    SluiceConfig bootstrap = SluiceConfig.parse(BOOTSTRAP, "b.yaml", Map.of());
    ConfigInForce live = ConfigInForce.startingWith(bootstrap);
    ConfigFollower follower = new ConfigFollower(live, new SimpleMeterRegistry(), Map::of);
    EventSerdes serdes = EventSerdes.of(CatalogSchemaRegistry.bundled());
    TopologySpec.Topics topics = TopologySpec.Topics.from(bootstrap);
    TopologySpec spec =
        new TopologySpec(
            topics,
            serdes,
            live.models(),
            live.tenants(),
            SluiceApp.sessionSettings(bootstrap),
            live.cache(),
            SluiceApp.toolSettings(bootstrap),
            new GatewayMetrics(new SimpleMeterRegistry()),
            () -> new Recording(jobs));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "live-topology-test");
    props.put(
        StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("live-topology").toString());
    try (TopologyTestDriver driver = new TopologyTestDriver(GatewayTopology.build(spec), props)) {
      TestInputTopic<String, Request> in =
          driver.createInputTopic(
              topics.requests(), new StringSerializer(), serdes.request().serializer());
      TestOutputTopic<String, Response> out =
          driver.createOutputTopic(
              topics.responses(), new StringDeserializer(), serdes.response().deserializer());

      // Given version 0 (the file): gpt2 and tenant beta unknown
      in.pipeInput("s1", request("r1", "s1", "acme", "gpt2"));
      in.pipeInput("s2", request("r2", "s2", "beta", "gpt"));
      assertThat(out.readValuesToList())
          .extracting(r -> r.getError().getCode())
          .containsExactly("unknown_model", "unknown_tenant");

      // When version 1 adds them
      follower.offer(LiveTestFiles.version(1, V1));

      // Then the same topology admits both and hands them to the dispatcher
      in.pipeInput("s3", request("r3", "s3", "acme", "gpt2"));
      in.pipeInput("s4", request("r4", "s4", "beta", "gpt"));
      assertThat(out.readValuesToList()).isEmpty();
      assertThat(jobs).extracting(DispatchJob::requestId).containsExactly("r3", "r4");
    }
  }

  private static Request request(String id, String session, String tenant, String model) {
    return Request.newBuilder()
        .setRequestId(id)
        .setSessionId(session)
        .setTenantId(tenant)
        .setModel(model)
        .setMessages(List.of(new ChatMessage("user", "hi " + id, null, null, List.of())))
        .setCreatedAt(Instant.now())
        .build();
  }

  private record Recording(List<DispatchJob> jobs) implements Dispatcher {
    @Override
    public boolean submit(DispatchJob job) {
      jobs.add(job);
      return true;
    }

    @Override
    public int inFlight() {
      return 0;
    }

    @Override
    public void close() {}
  }
}
