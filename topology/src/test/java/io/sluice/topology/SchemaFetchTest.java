package io.sluice.topology;

import static io.sluice.topology.TopologyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.Request;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.registry.RegisteredSchema;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.schema.registry.SchemaRegistryException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.Schema;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request written with a schema id the gateway has not seen: the stream thread asks the registry
 * without waiting for it, and the partition's requests wait, in order, until it answers.
 */
class SchemaFetchTest {
  private final HeldRegistry registry = new HeldRegistry(CatalogSchemaRegistry.bundled());
  private final TopologyFixture t = new TopologyFixture(registry);

  @AfterEach
  void close() {
    t.close();
  }

  @Test
  void givenANewSchemaId_whenRequestsArrive_thenTheyWaitForTheRegistryAndGoOnInOrder() {
    t.send(request("r0", "s0", "warm")); // the gateway's own schema id, read once
    int evolved = registerEvolvedRequestSchema();
    registry.hold(evolved);

    pipe(evolved, request("r1", "s1", "written with a newer schema"));
    t.send(request("r2", "s2", "behind it, with a known schema"));
    t.driver.advanceWallClockTime(Duration.ofMillis(200));

    assertThat(jobIds()).containsExactly("r0");
    assertThat(awaitingSchema()).isEqualTo(2);
    assertThat(registry.asks(evolved)).isEqualTo(1);

    registry.answer(evolved);
    t.driver.advanceWallClockTime(IngestSupplier.CHECK_INTERVAL);

    assertThat(jobIds()).containsExactly("r0", "r1", "r2");
    assertThat(t.dispatcher.jobs.get(1).messages().get(0).getContent())
        .isEqualTo("written with a newer schema");
    assertThat(awaitingSchema()).isZero();
    assertThat(t.dlq.isEmpty()).isTrue();
  }

  @Test
  void givenTheRegistryHasNoSuchId_whenItAnswers_thenTheRequestIsADeadLetterAndTheRestGoOn() {
    int unknown = 4242;
    registry.hold(unknown);

    pipe(unknown, request("r1", "s1", "an id no registry knows"));
    t.send(request("r2", "s2", "after it"));
    registry.fail(unknown, new SchemaRegistryException("schema " + unknown + " not found", 40403));
    t.driver.advanceWallClockTime(IngestSupplier.CHECK_INTERVAL);

    TestRecord<byte[], byte[]> dead = t.dlq.readRecord();
    assertThat(header(dead, "sluice.error.code")).isEqualTo("deserialization");
    assertThat(header(dead, "sluice.error.message"))
        .contains("schema id 4242")
        .contains("not found");
    assertThat(header(dead, "sluice.source.offset")).isEqualTo("0");
    assertThat(jobIds()).containsExactly("r2");
    assertThat(awaitingSchema()).isZero();
  }

  @Test
  void givenTheRegistryUnreachable_whenTime_thenRequestsStayAndTheFetchIsRetriedWithABackoff() {
    int evolved = registerEvolvedRequestSchema();
    registry.hold(evolved);
    pipe(evolved, request("r1", "s1", "newer schema"));

    registry.fail(
        evolved,
        new SchemaRegistryException(
            "schema registry unreachable", new ConnectException("Connection refused")));
    t.driver.advanceWallClockTime(IngestSupplier.CHECK_INTERVAL);
    t.driver.advanceWallClockTime(Duration.ofMillis(500));

    assertThat(jobIds()).isEmpty();
    assertThat(t.dlq.isEmpty()).isTrue();
    assertThat(registry.asks(evolved)).as("no second ask before the 1 s backoff").isEqualTo(1);

    t.driver.advanceWallClockTime(Duration.ofMillis(600));
    assertThat(registry.asks(evolved)).isEqualTo(2);
    registry.answer(evolved);
    t.driver.advanceWallClockTime(IngestSupplier.CHECK_INTERVAL);

    assertThat(jobIds()).containsExactly("r1");
    assertThat(t.dlq.isEmpty()).isTrue();
  }

  @Test
  void
      givenSchemasPreparedAtStartUp_whenARequestGoesThroughEveryTopicAndStore_thenNoRegistryCall() {
    byte[] first = t.serdes.request().serialize("llm.requests", request("r1", "s1", "hello"));
    byte[] second = t.serdes.request().serialize("llm.requests", request("r2", "s1", "again"));
    GatewayTopology.prepareSchemas(t.serdes, t.topics, "sluice-test");
    registry.calls.clear();

    // keyed by something else than its session: through the repartition topic; the second waits
    // behind the first in the pending store; both are answered (sessions store, every output)
    t.requests.pipeInput("not-the-session".getBytes(StandardCharsets.UTF_8), first);
    t.requests.pipeInput("not-the-session".getBytes(StandardCharsets.UTF_8), second);
    t.complete(t.dispatcher.last(), "hi");
    t.complete(t.dispatcher.last(), "hi again");

    assertThat(registry.calls).as("registry calls once started").isEmpty();
    assertThat(t.responses.readValuesToList())
        .extracting(r -> r.getContent())
        .containsExactly("hi", "hi again");
  }

  @Test
  void givenAParkedRecord_whenStoredAndRead_thenEveryFieldSurvivesNullsIncluded() {
    var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
    headers.add("traceparent", "00-abc".getBytes(StandardCharsets.UTF_8));
    headers.add("empty", null);
    ParkedRecord r =
        new ParkedRecord("llm.requests", 3, 17L, 1234L, null, new byte[] {0, 1}, headers);

    ParkedRecord back = ParkedRecord.fromBytes(r.toBytes());

    assertThat(back.topic()).isEqualTo("llm.requests");
    assertThat(back.partition()).isEqualTo(3);
    assertThat(back.offset()).isEqualTo(17L);
    assertThat(back.timestamp()).isEqualTo(1234L);
    assertThat(back.key()).isNull();
    assertThat(back.value()).containsExactly(0, 1);
    assertThat(back.headers().toArray()).hasSize(2);
    assertThat(back.headers().lastHeader("traceparent").value()).isEqualTo("00-abc".getBytes());
    assertThat(back.headers().lastHeader("empty").value()).isNull();
  }

  private List<String> jobIds() {
    return t.dispatcher.jobs.stream().map(DispatchJob::requestId).toList();
  }

  private double awaitingSchema() {
    return t.registry.get("sluice.requests.awaiting.schema").gauge().value();
  }

  private static String header(TestRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** The Request schema with one more optional field, as a newer producer would register it. */
  private int registerEvolvedRequestSchema() {
    return registry.register("llm.requests-value", EvolvedRequests.schema("client_hint"));
  }

  /** Pipes {@code r} encoded with the schema registered as {@code id} (or as Request). */
  private void pipe(int id, Request r) {
    Schema writer = registry.known(id) ? registry.delegate.byId(id) : Request.getClassSchema();
    t.requests.pipeInput(
        r.getSessionId().getBytes(StandardCharsets.UTF_8), EvolvedRequests.framed(id, writer, r));
  }

  /**
   * The bundled catalog, except that the ids it is told to hold are answered only when the test
   * says so; a blocking lookup of a held id fails the test, since a stream thread must not make
   * one.
   */
  static final class HeldRegistry implements SchemaRegistry {
    final CatalogSchemaRegistry delegate;
    private final Set<Integer> held = new HashSet<>();
    private final Map<Integer, CompletableFuture<Schema>> pending = new HashMap<>();
    private final Map<Integer, Integer> asks = new HashMap<>();

    /** Every question put to the registry, blocking or not. */
    final List<String> calls = new java.util.ArrayList<>();

    HeldRegistry(CatalogSchemaRegistry delegate) {
      this.delegate = delegate;
    }

    synchronized void hold(int id) {
      held.add(id);
    }

    synchronized int asks(int id) {
      return asks.getOrDefault(id, 0);
    }

    boolean known(int id) {
      try {
        delegate.byId(id);
        return true;
      } catch (SchemaRegistryException e) {
        return false;
      }
    }

    /** The registry answers the pending ask for {@code id}, and later ones at once. */
    void answer(int id) {
      CompletableFuture<Schema> f;
      synchronized (this) {
        held.remove(id);
        f = pending.remove(id);
      }
      f.complete(delegate.byId(id));
    }

    /** The pending ask for {@code id} fails; the id stays held. */
    void fail(int id, SchemaRegistryException e) {
      CompletableFuture<Schema> f;
      synchronized (this) {
        f = pending.remove(id);
      }
      f.completeExceptionally(e);
    }

    @Override
    public synchronized CompletableFuture<Schema> byIdAsync(int id) {
      calls.add("byIdAsync " + id);
      asks.merge(id, 1, Integer::sum);
      if (!held.contains(id)) {
        return delegate.byIdAsync(id);
      }
      return pending.computeIfAbsent(id, k -> new CompletableFuture<>());
    }

    @Override
    public synchronized Schema byId(int id) {
      calls.add("byId " + id);
      if (held.contains(id)) {
        throw new AssertionError("a blocking lookup of schema id " + id + " on a stream thread");
      }
      return delegate.byId(id);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
      calls.add("register " + subject);
      return delegate.register(subject, schema);
    }

    @Override
    public synchronized Optional<RegisteredSchema> lookup(String subject, Schema schema) {
      calls.add("lookup " + subject);
      return delegate.lookup(subject, schema);
    }

    @Override
    public synchronized Optional<RegisteredSchema> latest(String subject) {
      calls.add("latest " + subject);
      return delegate.latest(subject);
    }

    @Override
    public synchronized List<RegisteredSchema> versions(String subject) {
      calls.add("versions " + subject);
      return delegate.versions(subject);
    }

    @Override
    public synchronized List<String> subjects() {
      calls.add("subjects");
      return delegate.subjects();
    }
  }
}
