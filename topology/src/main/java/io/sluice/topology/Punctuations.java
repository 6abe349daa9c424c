package io.sluice.topology;

import io.sluice.events.Response;
import io.sluice.internal.SessionState;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a task does by the wall clock rather than on a record, each returned as {@link Decisions}:
 *
 * <ul>
 *   <li>{@link #tick} every {@code sessions.tick}: tool rounds past their deadline, then requests
 *       past theirs, then (once a second) calls in flight too long (orphans), then heads waiting
 *       for a dispatch the dispatcher refused;
 *   <li>{@link #idleSessions} every second: a slice of the {@code sessions} store, for sessions
 *       idle longer than {@code sessions.idle_ttl} with nothing pending;
 *   <li>{@link #expiredCacheEntries} every second, on partition 0's task only: a slice of the
 *       global cache store, for entries past {@code cache.ttl}.
 * </ul>
 *
 * Each reads at most a bounded slice of a store, so no punctuation holds the stream thread long.
 */
final class Punctuations {
  private static final Logger log = LoggerFactory.getLogger(Punctuations.class);

  /** The orphan scan walks every call in flight: once a second is often enough. */
  private static final long ORPHAN_SCAN_MS = 1000;

  private final SessionMachine machine;
  private final SessionSettings settings;
  private final String task;
  private final StoreSweep<SessionState> idleSweep;
  private long lastOrphanScan;

  Punctuations(SessionMachine machine, SessionSettings settings, String task) {
    this.machine = machine;
    this.settings = settings;
    this.task = task;
    long idleMs = settings.idleTtl().toMillis();
    SessionQueues queues = machine.queues();
    this.idleSweep =
        new StoreSweep<>(
            Duration.ofSeconds(60),
            (sid, st, now) -> !queues.hasQueue(sid) && now - st.getUpdatedAtMs() > idleMs);
  }

  Decisions tick(long now) {
    Decisions d = new Decisions();
    Deadlines deadlines = machine.deadlines();
    String id;
    while ((id = deadlines.nextToolRoundDue(now)) != null) {
      machine.toolRoundDue(id, now, d);
    }
    while ((id = deadlines.nextRequestDue(now)) != null) {
      machine.deadlineDue(id, now, d);
    }
    if (now - lastOrphanScan >= ORPHAN_SCAN_MS) {
      lastOrphanScan = now;
      machine.queues().orphans(now, settings.orphanAfter());
    }
    machine.retryUndispatched(now, d);
    return d;
  }

  /** Deletes the idle sessions of the next slice of {@code sessions}. */
  Decisions idleSessions(ReadOnlyKeyValueStore<String, SessionState> sessions, long now) {
    Decisions d = new Decisions();
    List<String> idle = idleSweep.next(sessions, now);
    idle.forEach(d::deleteSession);
    if (!idle.isEmpty()) {
      log.debug("task {}: forgot {} idle session(s)", task, idle.size());
    }
    return d;
  }

  /** Tombstones for the expired entries of the next slice of the cache store. */
  Decisions expiredCacheEntries(ReadOnlyKeyValueStore<String, Response> cache, long now) {
    Decisions d = new Decisions();
    machine.cache().purge(cache, now, d);
    return d;
  }
}
