package io.sluice.topology;

import io.sluice.events.CacheMode;
import io.sluice.events.ChatMessage;
import io.sluice.events.ErrorInfo;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.SemanticMatch;
import io.sluice.internal.PendingRequest;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.semantic.SemanticQuery;
import io.sluice.semantic.SemanticVerdict;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The response cache, seen from the session processor: whether a request may use it, the lookup
 * before a dispatch, the entry written after an answer, and the purge of expired entries. The
 * entries live in a global store fed by the compacted cache topic ({@link CacheStoreUpdater}), so
 * this room never writes a store: an entry or a tombstone is a record to forward.
 */
final class ResponseCache {
  private final CacheSettings cache;
  private final SessionStores stores;
  private final Conversation conversation;
  private final GatewayMetrics metrics;
  private final LongSupplier clock;
  private final Tracer tracer;
  private final StoreSweep<Response> purge;
  private BiConsumer<SemanticQuery, Long> semanticWrites = (q, at) -> {};

  ResponseCache(
      CacheSettings cache,
      SessionStores stores,
      Conversation conversation,
      GatewayMetrics metrics,
      LongSupplier clock,
      Tracer tracer) {
    this.tracer = tracer;
    this.cache = cache;
    this.stores = stores;
    this.conversation = conversation;
    this.metrics = metrics;
    this.clock = clock;
    // the sweep's pace is set at start; its test reads the ttl in force (live configuration)
    this.purge =
        new StoreSweep<>(
            StoreSweep.interval(cache.ttl()),
            (key, r, now) -> now - r.getRespondedAt() > cache.ttl().toMillis());
  }

  /** Whether an answer to {@code r} may be written to and read from the cache. */
  boolean cacheable(Request r) {
    return cache.active()
        && r.getCache() != CacheMode.BYPASS
        && (r.getCache() == CacheMode.ONLY || CacheKeys.deterministic(r));
  }

  /**
   * Looks the head up in the cache when it may be (one store read, a {@code cache.lookup} span):
   * the outcome to answer it with (the hit, or for {@code cache: ONLY} a {@code cache_miss}), or
   * null when it must go to a provider.
   */
  Outcome lookup(PendingRequest p, List<ChatMessage> messages, long now, Decisions d) {
    Request r = p.getRequest();
    if (r.getCache() == CacheMode.ONLY && !cache.active()) {
      return Outcome.failed(
          new ErrorInfo("cache_miss", "the response cache is disabled", false, null, null), 0);
    }
    if (!cacheable(r)) {
      return null;
    }
    Response hit = stores.cached(CacheKeys.of(r, messages, cache.perTenant()));
    boolean fresh = hit != null && now - hit.getRespondedAt() <= cache.ttl().toMillis();
    metrics.cacheLookup(r.getModel(), fresh);
    tracer.stage(
        p,
        "cache.lookup",
        now,
        clock.getAsLong(),
        true,
        Map.of("cache_hit", String.valueOf(fresh)),
        d);
    if (fresh) {
      return Outcome.cached(hit);
    }
    if (r.getCache() == CacheMode.ONLY) {
      return Outcome.failed(
          new ErrorInfo(
              "cache_miss",
              "no fresh cache entry for this request (cache: ONLY)",
              false,
              null,
              null),
          0);
    }
    return null;
  }

  /**
   * Writes {@code response} to the cache when it may be: a successful first-round answer from a
   * provider (not itself a hit) to a cacheable request, keyed by the conversation it answered.
   */
  void write(PendingRequest p, Response response, Decisions d) {
    Request r = p.getRequest();
    boolean ok = response.getStatus() == ResponseStatus.OK;
    if (ok && !response.getCacheHit() && p.getRound() == 0 && cacheable(r)) {
      List<ChatMessage> messages = conversation.of(r.getSessionId(), r, d);
      d.emit(CacheKeys.of(r, messages, cache.perTenant()), new SessionOutput.CacheOut(response));
      SemanticQuery q = semanticQuery(r, messages);
      if (q != null) {
        semanticWrites.accept(q, response.getRespondedAt());
      }
    }
  }

  /**
   * The semantic lookup for a head that missed the exact cache, or null when its model does not use
   * the semantic cache (or its request may not use the cache, or asks for {@code cache: ONLY}).
   */
  SemanticQuery semanticQuery(Request r, List<ChatMessage> messages) {
    if (!cache.semantic(r.getModel()) || r.getCache() == CacheMode.ONLY || !cacheable(r)) {
      return null;
    }
    return SemanticLookup.query(r, messages, cache.perTenant());
  }

  /** Where {@link #write} reports an answer it cached for a semantic model (the dispatcher). */
  void onSemanticWrite(BiConsumer<SemanticQuery, Long> listener) {
    this.semanticWrites = listener;
  }

  /**
   * A semantic verdict of a hit: the outcome to answer {@code p} with (the cached entry, marked
   * with its similarity), or null when the entry is gone, stale or of another tenant (the request
   * then goes to a provider). Emits a {@code cache.semantic} span.
   */
  Outcome semanticHit(PendingRequest p, SemanticVerdict v, long now, Decisions d) {
    Request r = p.getRequest();
    Response hit = v.hit() ? stores.cached(v.cacheKey()) : null;
    boolean fresh =
        hit != null
            && now - hit.getRespondedAt() <= cache.ttl().toMillis()
            && java.util.Objects.equals(hit.getTenantId(), r.getTenantId());
    Map<String, String> attrs = new java.util.HashMap<>();
    attrs.put("cache_hit", String.valueOf(fresh));
    attrs.put("embed_ms", String.valueOf(v.embedMs()));
    if (fresh) {
      attrs.put("similarity", String.format(java.util.Locale.ROOT, "%.4f", v.similarity()));
      attrs.put("matched_request_id", String.valueOf(hit.getRequestId()));
    }
    tracer.stage(p, "cache.semantic", now, clock.getAsLong(), true, attrs, d);
    return fresh
        ? Outcome.semantic(hit, new SemanticMatch(v.similarity(), hit.getRequestId()))
        : null;
  }

  /** A tombstone to the cache topic for each expired entry of the next slice of the store. */
  void purge(ReadOnlyKeyValueStore<String, Response> store, long now, Decisions d) {
    List<String> expired = purge.next(store, now);
    for (String key : expired) {
      d.emit(key, new SessionOutput.CacheOut(null));
    }
    if (!expired.isEmpty()) {
      metrics.cachePurged(expired.size());
    }
  }
}
