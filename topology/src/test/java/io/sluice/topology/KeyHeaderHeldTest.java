package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.keys.KeySecrets;
import io.sluice.keys.KeyTable;
import io.sluice.keys.VirtualKey;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.registry.SchemaRegistryException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request with a {@code sluice.key} header that ingest must hold (its schema id is new) or
 * dead-letter: the key is gone before it is held, so neither the held store (and its changelog) nor
 * the dead-letter topic ever sees it.
 */
class KeyHeaderHeldTest {
  private static final String SECRET = KeySecrets.newKey();

  private final SchemaFetchTest.HeldRegistry registry =
      new SchemaFetchTest.HeldRegistry(CatalogSchemaRegistry.bundled());
  private final TopologyFixture t = new TopologyFixture(registry, new KeySettings(keys(), true));

  @AfterEach
  void close() {
    t.close();
  }

  private static KeyTable keys() {
    KeyTable table = new KeyTable();
    table.apply(
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
    return table;
  }

  private void pipe(int schemaId, org.apache.avro.Schema writer, Request r) {
    Headers h = new RecordHeaders();
    h.add(IngestKeys.HEADER, SECRET.getBytes(StandardCharsets.UTF_8));
    t.requests.pipeInput(
        new TestRecord<>(
            r.getSessionId().getBytes(StandardCharsets.UTF_8),
            EvolvedRequests.framed(schemaId, writer, r),
            h,
            TopologyFixture.START));
  }

  private static void assertNoKeyIn(Headers headers) {
    for (Header h : headers) {
      assertThat(h.key()).isNotEqualTo(IngestKeys.HEADER);
      assertThat(new String(h.value(), StandardCharsets.UTF_8)).doesNotContain(SECRET);
    }
  }

  @Test
  void shouldHoldARequestWithoutItsKeyAndStillApplyTheKeyOnceItsSchemaArrives() {
    // Given a request with a good key, written with a schema id the registry has not answered
    t.send(TopologyFixture.request("r0", "s0", "warm"));
    int evolved = registry.register("llm.requests-value", EvolvedRequests.schema("client_hint"));
    registry.hold(evolved);
    pipe(evolved, registry.delegate.byId(evolved), TopologyFixture.request("r1", "s1", "held"));
    t.driver.advanceWallClockTime(Duration.ofMillis(200));

    // Then it is held without the key
    KeyValueStore<Long, ParkedRecord> held =
        t.driver.getKeyValueStore(IngestSupplier.AWAITING_SCHEMA);
    int count = 0;
    try (KeyValueIterator<Long, ParkedRecord> all = held.all()) {
      while (all.hasNext()) {
        KeyValue<Long, ParkedRecord> e = all.next();
        assertNoKeyIn(e.value.headers());
        count++;
      }
    }
    assertThat(count).isEqualTo(1);

    // When the registry answers, it runs as the key's tenant
    registry.answer(evolved);
    t.driver.advanceWallClockTime(IngestSupplier.CHECK_INTERVAL);
    t.complete(t.dispatcher.last(), "answer");
    List<TestRecord<String, Response>> responses = t.responses.readRecordsToList();
    TestRecord<String, Response> r1 =
        responses.stream().filter(r -> r.value().getRequestId().equals("r1")).findFirst().get();
    assertThat(r1.value().getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(r1.value().getTenantId()).isEqualTo("globex");
    assertNoKeyIn(r1.headers());
  }

  @Test
  void shouldDeadLetterARecordWithoutItsKey() {
    // Given a request with a key, written with a schema id no registry knows
    int unknown = 4242;
    registry.hold(unknown);
    pipe(unknown, Request.getClassSchema(), TopologyFixture.request("r1", "s1", "unknown id"));
    registry.fail(unknown, new SchemaRegistryException("schema " + unknown + " not found", 40403));
    t.driver.advanceWallClockTime(IngestSupplier.CHECK_INTERVAL);

    // Then its dead letter carries neither the key nor its verdict
    TestRecord<byte[], byte[]> dead = t.dlq.readRecord();
    assertNoKeyIn(dead.headers());
    assertThat(dead.headers().headers(IngestKeys.VERDICT)).isEmpty();
    assertThat(new String(dead.value(), StandardCharsets.ISO_8859_1)).doesNotContain(SECRET);
  }
}
