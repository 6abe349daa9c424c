package io.sluice.topology;

import static io.sluice.topology.TopologyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.Response;
import io.sluice.events.TraceSpan;
import io.sluice.semantic.SemanticVerdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The semantic cache seen from the session processor: which requests carry a lookup to the
 * dispatcher, and how its verdict, coming back on the completions topic, is answered.
 */
class SemanticCacheTest {
  private static final SessionSettings SETTINGS =
      new SessionSettings(
          10,
          Duration.ofMinutes(5),
          Duration.ofHours(1),
          Duration.ofMinutes(5),
          Duration.ofMillis(100),
          false);
  private final TopologyFixture t =
      new TopologyFixture(
          TopologyFixture.CONFIG
              + "cache: {ttl: 1m, semantic: {enabled: true, models: [gpt], threshold: 0.8}}\n",
          SETTINGS);

  @AfterEach
  void close() {
    t.close();
  }

  private static Request deterministic(String id, String session, String text) {
    Request r = request(id, session, text);
    r.setParams(new RequestParams(0.0, null, null, List.of(), null, Map.of()));
    return r;
  }

  @Test
  void givenAnExactMissForASemanticModelThenTheJobCarriesTheLookupScopedLikeTheExactKey() {
    t.send(deterministic("r1", "s1", "What is the capital of France?"));
    t.send(deterministic("r2", "s2", "what is the capital of france"));
    Request other = deterministic("r3", "s3", "what is the capital of france");
    other.setTenantId("globex");
    t.send(other);
    Request system = deterministic("r4", "s4", "what is the capital of france");
    system
        .getMessages()
        .add(0, new io.sluice.events.ChatMessage("system", "Be brief.", null, null, List.of()));
    t.send(system);

    List<DispatchJob> jobs = t.dispatcher.jobs;
    assertThat(jobs).hasSize(4).allSatisfy(j -> assertThat(j.semantic()).isNotNull());
    assertThat(jobs.get(0).semantic().scope()).isEqualTo(jobs.get(1).semantic().scope());
    assertThat(jobs.get(0).semantic().cacheKey()).isNotEqualTo(jobs.get(1).semantic().cacheKey());
    assertThat(jobs.get(2).semantic().scope())
        .as("another tenant: another scope")
        .isNotEqualTo(jobs.get(1).semantic().scope());
    assertThat(jobs.get(3).semantic().scope())
        .as("another system prompt: another scope")
        .isNotEqualTo(jobs.get(1).semantic().scope());
    assertThat(jobs.get(1).semantic().text()).isEqualTo("what is the capital of france");
  }

  @Test
  void givenASampledRequestOrAnExactHitThenNoSemanticLookupIsAsked() {
    t.send(request("r1", "s1", "tell me a story"));
    assertThat(t.dispatcher.last().semantic()).isNull();
    t.send(deterministic("r2", "s2", "What is 2+2?"));
    t.complete(t.dispatcher.last(), "4");

    t.send(deterministic("r3", "s3", "What is 2+2?"));

    assertThat(t.dispatcher.jobs).hasSize(2);
    assertThat(t.responses.readValuesToList())
        .filteredOn(r -> r.getRequestId().equals("r3"))
        .singleElement()
        .satisfies(r -> assertThat(r.getSemantic()).isNull());
  }

  @Test
  void givenAHitVerdictThenTheRequestIsAnsweredFromTheMatchedEntryAndSaysSo() {
    t.send(deterministic("r1", "s1", "What is the capital of France?"));
    DispatchJob first = t.dispatcher.last();
    t.complete(first, "Paris");
    t.send(deterministic("r2", "s2", "what is the capital of france"));
    DispatchJob second = t.dispatcher.last();

    t.completions.pipeInput(
        second.sessionId(), SemanticVerdict.hit(second, first.semantic().cacheKey(), 0.93, 4));

    Response hit =
        t.responses.readValuesToList().stream()
            .filter(r -> r.getRequestId().equals("r2"))
            .findFirst()
            .orElseThrow();
    assertThat(hit.getCacheHit()).isTrue();
    assertThat(hit.getContent()).isEqualTo("Paris");
    assertThat(hit.getProvider()).isNull();
    assertThat(hit.getSemantic().getSimilarity()).isEqualTo(0.93);
    assertThat(hit.getSemantic().getMatchedRequestId()).isEqualTo("r1");
    assertThat(t.dispatcher.jobs).hasSize(2);
    List<TraceSpan> spans = t.traces.readValuesToList();
    assertThat(spans)
        .filteredOn(s -> s.getRequestId().equals("r2") && s.getName().equals("cache.semantic"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getAttributes()).containsEntry("cache_hit", "true");
              assertThat(s.getAttributes()).containsEntry("matched_request_id", "r1");
            });
    assertThat(spans)
        .filteredOn(s -> s.getRequestId().equals("r2") && s.getName().equals("request"))
        .singleElement()
        .satisfies(
            s -> assertThat(s.getAttributes()).containsEntry("cache_semantic_similarity", "0.93"));
  }

  @Test
  void givenAHitVerdictForAnEntryThatIsGoneThenTheRequestGoesToTheProviders() {
    t.send(deterministic("r2", "s2", "what is the capital of france"));
    DispatchJob lookup = t.dispatcher.last();

    t.completions.pipeInput(lookup.sessionId(), SemanticVerdict.hit(lookup, "no-such-key", 0.9, 4));

    assertThat(t.dispatcher.jobs).hasSize(2);
    DispatchJob again = t.dispatcher.last();
    assertThat(again.requestId()).isEqualTo("r2");
    assertThat(again.semantic()).as("a second dispatch goes to the providers").isNull();
    assertThat(again.dispatch()).isEqualTo(2);
    t.complete(again, "Paris");
    assertThat(t.responses.readValuesToList())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getCacheHit()).isFalse();
              assertThat(r.getContent()).isEqualTo("Paris");
            });
  }

  @Test
  void givenAMissVerdictThenTheSameHeadIsDispatchedAgainWithoutLookup() {
    t.send(deterministic("r1", "s1", "What is the capital of France?"));
    DispatchJob lookup = t.dispatcher.last();

    t.completions.pipeInput(lookup.sessionId(), SemanticVerdict.miss(lookup));

    assertThat(t.dispatcher.jobs).hasSize(2);
    assertThat(t.dispatcher.last().semantic()).isNull();
    assertThat(t.responses.readValuesToList()).isEmpty();
  }
}
