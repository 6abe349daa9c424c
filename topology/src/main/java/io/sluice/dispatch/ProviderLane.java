package io.sluice.dispatch;

import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One provider's concurrency limit and its queue of waiting runs: at most {@code limit} calls run
 * at once; the rest wait by priority, then age ({@link DispatchRun#compareTo}). A run that leaves
 * hands its slot straight to the next waiting one, so the count never drops below the limit while
 * runs wait.
 */
final class ProviderLane {
  private final int limit;
  private final AtomicInteger queued;
  private final PriorityQueue<DispatchRun> waiting = new PriorityQueue<>();
  private int running;

  /**
   * @param queued the dispatcher's count of runs waiting in any lane; this lane keeps its share of
   *     it current
   */
  ProviderLane(int limit, AtomicInteger queued) {
    this.limit = limit;
    this.queued = queued;
  }

  int limit() {
    return limit;
  }

  /** Runs {@code run} now if a slot is free, else queues it. */
  void enter(DispatchRun run) {
    synchronized (this) {
      if (running >= limit) {
        waiting.add(run);
        queued.incrementAndGet();
        return;
      }
      running++;
    }
    run.execute(this);
  }

  /** Frees the caller's slot: the next waiting run takes it, or the count drops. */
  void leave() {
    DispatchRun next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        running--;
        return;
      }
      queued.decrementAndGet();
    }
    next.execute(this);
  }
}
