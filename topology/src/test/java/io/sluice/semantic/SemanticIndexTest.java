package io.sluice.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SemanticIndexTest {
  private final FakeEmbedder embedder = new FakeEmbedder();

  private SemanticIndex.Entry entry(String key, String scope, String text, long at) {
    return new SemanticIndex.Entry(
        key, scope, "req-" + key, embedder.embed(text), PromptFeatures.of(text), at);
  }

  @Test
  void shouldFindTheMostSimilarEntryOfTheSameScopeOnly() {
    SemanticIndex index = new SemanticIndex(100, 60_000);
    index.add(entry("k1", "s", "capital of france", 0));
    index.add(entry("k2", "s", "tallest mountain", 0));
    index.add(entry("k3", "other", "capital of france", 0));

    var found = index.candidates("s", embedder.embed("the capital of france"), 0.5f, 8);

    assertThat(found).extracting(c -> c.entry().cacheKey()).containsExactly("k1");
    assertThat(found.get(0).similarity()).isGreaterThan(0.8f);
  }

  @Test
  void shouldReturnAtMostTheLimitMostSimilarFirst() {
    SemanticIndex index = new SemanticIndex(100, 60_000);
    for (int i = 0; i < 20; i++) {
      index.add(entry("k" + i, "s", "capital of france" + " x".repeat(i), 0));
    }

    var found = index.candidates("s", embedder.embed("capital of france"), 0.1f, 3);

    assertThat(found).hasSize(3);
    assertThat(found.get(0).entry().cacheKey()).isEqualTo("k0");
    assertThat(found.get(0).similarity()).isGreaterThanOrEqualTo(found.get(1).similarity());
    assertThat(found.get(1).similarity()).isGreaterThanOrEqualTo(found.get(2).similarity());
  }

  @Test
  void givenMoreEntriesThanItsBoundThenTheOldestGo() {
    SemanticIndex index = new SemanticIndex(2, 60_000);
    index.add(entry("k1", "s", "one", 0));
    index.add(entry("k2", "s", "two", 1));
    index.add(entry("k3", "s", "three", 2));

    assertThat(index.size()).isEqualTo(2);
    assertThat(index.candidates("s", embedder.embed("one"), 0.99f, 8)).isEmpty();
  }

  @Test
  void givenTheSameCacheKeyAgainThenTheEntryIsReplacedAndExpiredEntriesAreDropped() {
    SemanticIndex index = new SemanticIndex(10, 1_000);
    index.add(entry("k1", "s", "one", 0));
    index.add(entry("k1", "s", "one", 500));
    assertThat(index.size()).isEqualTo(1);

    index.expire(1_600);

    assertThat(index.size()).isZero();
  }

  @Test
  void givenAnEntryRemovedFromTheMiddleOfAScopeThenTheOthersKeepTheirOwnVectors() {
    SemanticIndex index = new SemanticIndex(10, 60_000);
    index.add(entry("k1", "s", "capital of france", 0));
    index.add(entry("k2", "s", "tallest mountain", 0));
    index.add(entry("k3", "s", "boiling point of water", 0));

    index.remove("k1");

    assertThat(index.size()).isEqualTo(2);
    assertThat(index.candidates("s", embedder.embed("boiling point of water"), 0.99f, 8))
        .extracting(c -> c.entry().cacheKey())
        .containsExactly("k3");
    assertThat(index.candidates("s", embedder.embed("tallest mountain"), 0.99f, 8))
        .extracting(c -> c.entry().cacheKey())
        .containsExactly("k2");
    assertThat(index.candidates("s", embedder.embed("capital of france"), 0.99f, 8)).isEmpty();
  }

  @Test
  void shouldRoundTripAnEntryThroughItsTopicRecord() {
    float[] v = embedder.embed("capital of France");
    String json =
        IndexRecords.toJson(new SemanticQuery("k", "scope", "capital of France", "r1"), v, 42);

    SemanticIndex.Entry e = IndexRecords.entry("k", json);

    assertThat(e.vector()).containsExactly(v);
    assertThat(e.scope()).isEqualTo("scope");
    assertThat(e.requestId()).isEqualTo("r1");
    assertThat(e.atMs()).isEqualTo(42);
    assertThat(e.features().entities()).containsExactly("france");
    assertThat(IndexRecords.entry("k", "not json")).isNull();
  }
}
