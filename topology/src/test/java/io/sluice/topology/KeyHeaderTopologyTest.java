package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.keys.KeySecrets;
import io.sluice.keys.KeyTable;
import io.sluice.keys.VirtualKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

class KeyHeaderTopologyTest {
  private static final String SECRET = KeySecrets.newKey();

  private static KeyTable keys() {
    KeyTable t = new KeyTable();
    t.apply(
        "key_1",
        new VirtualKey(
            "key_1",
            KeySecrets.sha256Hex(SECRET),
            "globex",
            null,
            List.of(),
            null,
            null,
            null,
            null,
            null,
            1,
            null));
    return t;
  }

  private static void send(TopologyFixture t, Request r, String key) {
    RecordHeaders h = new RecordHeaders();
    h.add(IngestKeys.HEADER, key.getBytes(StandardCharsets.UTF_8));
    t.requests.pipeInput(
        new TestRecord<>(
            r.getSessionId().getBytes(StandardCharsets.UTF_8),
            t.serdes.request().serialize("llm.requests", r),
            h,
            TopologyFixture.START));
  }

  private static void assertNoKeyIn(TestRecord<?, ?> record) {
    assertThat(record.headers().headers(IngestKeys.HEADER)).isEmpty();
    assertThat(record.headers().headers(IngestKeys.VERDICT)).isEmpty();
    assertThat(String.valueOf(record.value())).doesNotContain(SECRET);
  }

  @Test
  void shouldAnswerARequestWithAGoodHeaderKeyAsTheKeysTenantAndCopyTheKeyNowhere() {
    try (TopologyFixture t = new TopologyFixture(new KeySettings(keys(), true))) {
      // Given a request whose record carries a good key, claiming another tenant
      send(t, TopologyFixture.request("r1", "s1", "hi"), SECRET);

      // When it is answered
      t.complete(t.dispatcher.last(), "hello");

      // Then it ran as the key's tenant, and no output record carries the key
      TestRecord<String, Response> response = t.responses.readRecord();
      assertThat(response.value().getStatus()).isEqualTo(ResponseStatus.OK);
      assertThat(response.value().getTenantId()).isEqualTo("globex");
      assertNoKeyIn(response);
      t.traces.readRecordsToList().forEach(KeyHeaderTopologyTest::assertNoKeyIn);
      t.usage
          .readRecordsToList()
          .forEach(
              u -> {
                assertNoKeyIn(u);
                assertThat(u.key()).isEqualTo("globex");
              });
    }
  }

  @Test
  void shouldRejectABadHeaderKeyWithInvalidKeyWithoutEchoingIt() {
    try (TopologyFixture t = new TopologyFixture(new KeySettings(keys(), true))) {
      send(t, TopologyFixture.request("r1", "s1", "hi"), "sk-sluice-not-a-key");

      TestRecord<String, Response> response = t.responses.readRecord();
      assertThat(response.value().getStatus()).isEqualTo(ResponseStatus.REJECTED);
      assertThat(response.value().getError().getCode()).isEqualTo("invalid_key");
      assertThat(response.value().toString()).doesNotContain("sk-sluice-not-a-key");
      assertThat(response.headers().headers(IngestKeys.HEADER)).isEmpty();
      assertThat(t.dispatcher.jobs).isEmpty();
    }
  }

  @Test
  void shouldRejectAHeaderKeyWhenTheHeaderIsOff() {
    try (TopologyFixture t = new TopologyFixture(new KeySettings(keys(), false))) {
      send(t, TopologyFixture.request("r1", "s1", "hi"), SECRET);

      Response response = t.responses.readValue();
      assertThat(response.getError().getCode()).isEqualTo("invalid_key");
      assertThat(t.dispatcher.jobs).isEmpty();
    }
  }
}
