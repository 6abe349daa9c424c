package io.sluice.liveconfig;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.admission.AdmissionSettings;
import io.sluice.admission.KeyLimits;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dispatch.DispatchJob;
import io.sluice.dispatch.Dispatcher;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.topology.EventSerdes;
import io.sluice.topology.GatewayTopology;
import io.sluice.topology.KeySettings;
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

/**
 * The topology built once enforces the tenants' limits and masks with the PII guards of the config
 * in force, as SluiceApp wires them: a version applied changes both for the next request, and a
 * tenant's counters stay (a lowered rpm holds at once against the requests of the last minute).
 */
class LiveTenantsTopologyTest {
  private static final String BOOTSTRAP =
      """
      providers: {a: {type: openai, base_url: "http://127.0.0.1:1/v1"}}
      models: {gpt: {deployments: [{provider: a, model: m}]}}
      tenants: {acme: {models: [gpt], rpm: 100}, beta: {models: [gpt]}}
      """;
  private static final String V1 =
      """
      providers: {a: {type: openai, base_url: "http://127.0.0.1:1/v1"}}
      models: {gpt: {deployments: [{provider: a, model: m}]}}
      tenants:
        acme: {models: [gpt], rpm: 3}
        beta: {models: [gpt], guardrails: {pii: {mode: mask, entities: [email]}}}
      """;

  private final List<DispatchJob> jobs = new CopyOnWriteArrayList<>();

  @Test
  void shouldRateLimitAndMaskByTheVersionInForceWithoutANewTopology() throws Exception {
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
            SluiceApp.toolSettings(bootstrap, live.pii()),
            new GatewayMetrics(new SimpleMeterRegistry()),
            () -> new Recording(jobs),
            io.sluice.bounds.RecordLimits.DEFAULTS,
            SluiceApp.requestLimits(bootstrap),
            KeySettings.none(),
            live.pii());
    AdmissionSettings admission =
        AdmissionSettings.from(bootstrap, KeyLimits.NONE, 1).withTenants(live.limits());
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "live-tenants-topology-test");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("live-tenants").toString());
    try (TopologyTestDriver driver =
        new TopologyTestDriver(GatewayTopology.build(spec, admission), props)) {
      TestInputTopic<String, Request> in =
          driver.createInputTopic(
              topics.requests(), new StringSerializer(), serdes.request().serializer());
      TestOutputTopic<String, Response> out =
          driver.createOutputTopic(
              topics.responses(), new StringDeserializer(), serdes.response().deserializer());

      // Given version 0 (the file): acme at rpm 100 has two requests this minute, beta unmasked
      in.pipeInput("s1", request("a1", "s1", "acme", "hello"));
      in.pipeInput("s2", request("a2", "s2", "acme", "hello"));
      in.pipeInput("s3", request("b1", "s3", "beta", "write to bob@example.com"));
      assertThat(out.readValuesToList()).isEmpty();
      assertThat(jobs).extracting(DispatchJob::requestId).containsExactly("a1", "a2", "b1");
      assertThat(content(jobs.get(2))).contains("bob@example.com");

      // When version 1 lowers acme's rpm to 3 and masks beta's email addresses
      follower.offer(LiveTestFiles.version(1, V1));
      assertThat(live.current().version()).isEqualTo(1);

      // Then of acme's next three requests one fits the minute's window (2 counted already)
      for (int i = 3; i <= 5; i++) {
        in.pipeInput("s" + (10 + i), request("a" + i, "s" + (10 + i), "acme", "hello"));
      }
      List<Response> refused =
          out.readValuesToList().stream()
              .filter(r -> r.getStatus() == ResponseStatus.REJECTED)
              .toList();
      assertThat(refused).extracting(Response::getRequestId).containsExactly("a4", "a5");
      assertThat(refused)
          .allSatisfy(
              r -> {
                assertThat(r.getError().getCode()).isEqualTo("rate_limited");
                assertThat(r.getError().getMessage()).contains("rpm of 3");
              });
      // and beta's next request reaches the dispatcher masked
      in.pipeInput("s20", request("b2", "s20", "beta", "write to bob@example.com"));
      assertThat(jobs)
          .extracting(DispatchJob::requestId)
          .containsExactly("a1", "a2", "b1", "a3", "b2");
      assertThat(content(jobs.get(4))).doesNotContain("bob@example.com").contains("[EMAIL_");
    }
  }

  private static String content(DispatchJob job) {
    return job.messages().get(job.messages().size() - 1).getContent();
  }

  private static Request request(String id, String session, String tenant, String text) {
    return Request.newBuilder()
        .setRequestId(id)
        .setSessionId(session)
        .setTenantId(tenant)
        .setModel("gpt")
        .setMessages(List.of(new ChatMessage("user", text, null, null, List.of())))
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
