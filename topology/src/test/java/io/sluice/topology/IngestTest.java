package io.sluice.topology;

import static io.sluice.topology.TopologyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.ChatMessage;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IngestTest {
  private TopologyFixture t = new TopologyFixture();

  @AfterEach
  void close() {
    t.close();
  }

  private static String header(TestRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void shouldDeadLetterGarbageWithHeadersAndKeepServing() {
    t.send(request("r1", "s1", "before"));
    t.requests.pipeInput("k".getBytes(), "garbage".getBytes());
    t.send(request("r2", "s2", "after"));

    TestRecord<byte[], byte[]> dead = t.dlq.readRecord();
    assertThat(dead.key()).isEqualTo("k".getBytes());
    assertThat(dead.value()).isEqualTo("garbage".getBytes());
    assertThat(header(dead, "sluice.error.code")).isEqualTo("deserialization");
    assertThat(header(dead, "sluice.error.message")).contains("magic byte");
    assertThat(header(dead, "sluice.error.stage")).isEqualTo("ingest");
    assertThat(header(dead, "sluice.source.topic")).isEqualTo("llm.requests");
    assertThat(header(dead, "sluice.source.partition")).isEqualTo("0");
    assertThat(header(dead, "sluice.source.offset")).isEqualTo("1");
    assertThat(header(dead, "sluice.error.time")).isNotBlank();
    assertThat(t.dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("r1", "r2");
  }

  @Test
  void shouldRejectARequestWithoutSessionNamingTheField() {
    var r = request("r1", null, "x");

    t.sendKeyed(null, r);

    Response rejected = t.responses.readValue();
    assertThat(rejected.getStatus()).isEqualTo(ResponseStatus.REJECTED);
    assertThat(rejected.getRequestId()).isEqualTo("r1");
    assertThat(rejected.getError().getCode()).isEqualTo("invalid_request");
    assertThat(rejected.getError().getMessage()).isEqualTo("session_id is required");
    assertThat(t.dispatcher.jobs).isEmpty();
  }

  @Test
  void shouldRejectAnUnknownModelAndAnUnknownRole() {
    var unknownModel = request("r1", "s1", "x");
    unknownModel.setModel("gpt-17");
    var badRole = request("r2", "s1", "x");
    badRole.getMessages().add(new ChatMessage("robot", "beep", null, null, List.of()));

    t.send(unknownModel);
    t.send(badRole);

    List<Response> out = t.responses.readValuesToList();
    assertThat(out.get(0).getError().getCode()).isEqualTo("unknown_model");
    assertThat(out.get(0).getError().getMessage())
        .contains("model 'gpt-17' is not a configured alias [gpt]");
    assertThat(out.get(1).getError().getMessage())
        .isEqualTo("messages[1].role 'robot' is not one of system, user, assistant, tool");
  }

  @Test
  void shouldAcceptProviderSlashModelForAConfiguredProvider() {
    var direct = request("r1", "s1", "x");
    direct.setModel("sim/some-model");

    t.send(direct);

    assertThat(t.dispatcher.last().model()).isEqualTo("sim/some-model");
  }

  @Test
  void shouldRekeyARecordNotKeyedBySessionAndStillKeepSessionOrder() {
    t.sendKeyed(null, request("r1", "s1", "one"));
    t.sendKeyed("other-key", request("r2", "s1", "two"));

    assertThat(t.dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("r1");
    t.complete(t.dispatcher.last(), "a1");
    assertThat(t.dispatcher.last().requestId()).isEqualTo("r2");
  }

  @Test
  void shouldRejectUnknownTenantsWhenTenantsAreConfigured() {
    t.close();
    t =
        new TopologyFixture(
            TopologyFixture.CONFIG
                + "tenants:\n  acme: {models: [gpt]}\n  beta: {models: [other]}\n",
            new SessionSettings(
                10,
                Duration.ofSeconds(30),
                Duration.ofHours(1),
                Duration.ofSeconds(60),
                Duration.ofMillis(100),
                false));
    var stranger = request("r1", "s1", "x");
    stranger.setTenantId("evil");
    var beta = request("r2", "s2", "x");
    beta.setTenantId("beta");

    t.send(stranger);
    t.send(beta);
    t.send(request("r3", "s3", "x"));

    List<Response> out = t.responses.readValuesToList();
    assertThat(out)
        .extracting(r -> r.getError().getCode())
        .containsExactly("unknown_tenant", "model_not_allowed");
    assertThat(t.dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("r3");
  }

  @Test
  void shouldDeadLetterARequestNestedTooDeepForTheStackAndKeepServing() {
    // Given a producer registered a compatible Request schema with a recursive optional field
    t.close();
    var registry = io.sluice.schema.registry.CatalogSchemaRegistry.bundled();
    int id = registry.register("llm.requests-value", IngestFuzzTarget.withRecursiveTail());
    t = new TopologyFixture(registry);
    byte[] plain = t.serdes.request().serialize("llm.requests", request("deep", "s1", "x"));
    byte[] deep = java.util.Arrays.copyOf(plain, plain.length + 1_000_001);
    java.nio.ByteBuffer.wrap(deep, 1, 4).putInt(id);
    java.util.Arrays.fill(deep, plain.length, deep.length - 1, (byte) 2); // a million nodes

    // When it writes a value nested a million levels deep, between two good requests
    t.send(request("r1", "s1", "before"));
    t.requests.pipeInput("s1".getBytes(StandardCharsets.UTF_8), deep);
    t.send(request("r2", "s2", "after"));

    // Then it is a dead letter (it was a StackOverflowError that ended the stream thread)
    TestRecord<byte[], byte[]> dead = t.dlq.readRecord();
    assertThat(header(dead, "sluice.error.code")).isEqualTo("deserialization");
    assertThat(header(dead, "sluice.error.message")).contains("nested too deeply");
    assertThat(t.dispatcher.jobs).extracting(DispatchJob::requestId).containsExactly("r1", "r2");
  }
}
