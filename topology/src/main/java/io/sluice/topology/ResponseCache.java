package io.sluice.topology;

import io.sluice.events.CacheMode;
import io.sluice.events.ChatMessage;
import io.sluice.events.ErrorInfo;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.internal.PendingRequest;
import io.sluice.metrics.GatewayMetrics;
import java.util.List;
import java.util.Map;
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
  private final StoreSweep<Response> purge;

  ResponseCache(
      CacheSettings cache,
      SessionStores stores,
      Conversation conversation,
      GatewayMetrics metrics,
      LongSupplier clock) {
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
    d.emit(
        r.getRequestId(),
        new SessionOutput.SpanOut(
            Spans.span(
                p,
                "cache.lookup",
                p.getRootSpanId(),
                now,
                clock.getAsLong(),
                true,
                Map.of("cache_hit", String.valueOf(fresh)))));
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
      d.emit(
          CacheKeys.of(r, conversation.of(r.getSessionId(), r, d), cache.perTenant()),
          new SessionOutput.CacheOut(response));
    }
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
