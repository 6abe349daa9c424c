package io.sluice.singleflight;

import io.sluice.dispatch.CompletionSink;
import io.sluice.dispatch.DispatchJob;
import io.sluice.dispatch.Dispatcher;
import io.sluice.events.TokenUsage;
import io.sluice.internal.Completion;
import io.sluice.schema.AvroTrust;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The dispatcher of an instance with single-flight in front: a job with a {@link
 * DispatchJob#flightKey} (a cacheable request's cache key, so identical means identical within the
 * cache's scope) joins the call already in flight for that key, if any, instead of making its own;
 * the first job of a key is the leader and goes to the real dispatcher. When the leader's call
 * ends, its completion goes to the leader's partition and a copy to each follower's: the follower's
 * request id, session and dispatch, no attempts, no usage, no cost (the call was the leader's and
 * is counted once), marked {@link CompletionSink#SHARED_CALL_OF} with the leader's request id.
 *
 * <p>A failed leader call is shared too (the followers would have met the same provider after the
 * same retries and fallbacks), except two failures that belong to the leader alone: {@code timeout}
 * (its own deadline) and a stream cut after its first chunk ({@code streamed_chunks > 0}). Then the
 * followers are dispatched again, as a new flight (the first becomes its leader).
 *
 * <p>Durability is the session tasks': a follower is pending in its task's store like any
 * dispatched request, so after a crash it is dispatched again as an orphan. Nothing here survives
 * the instance, and nothing needs to: if the leader's task moves away, the call still completes
 * here and the followers get their copies.
 *
 * <p>Threading: {@link #submit} runs on stream threads, the completions on the dispatcher's
 * threads; the flights are guarded by this object's lock, and records are published outside it.
 *
 * @param <D> the real dispatcher's type
 */
public final class SingleFlight<D extends Dispatcher> implements Dispatcher {
  /**
   * The most followers waiting in this instance, all calls together; beyond it a job makes its own
   * call (and meets the real dispatcher's queue limit), so followers never hold more jobs in memory
   * than this.
   */
  static final int MAX_FOLLOWERS = 100_000;

  private final CompletionSink out;
  private final D delegate;
  private final Map<String, Flight> byKey = new HashMap<>();
  private final Map<String, Flight> byLeader = new HashMap<>();
  private long shared;
  private int waiting;

  /**
   * @param out where every completion goes (the completions topic)
   * @param dispatcher makes the real dispatcher from the sink it must publish its completions to
   */
  public SingleFlight(CompletionSink out, Function<CompletionSink, D> dispatcher) {
    AvroTrust.install(); // copies of completions are Avro deep copies
    this.out = out;
    this.delegate = dispatcher.apply(this::completed);
  }

  /** The real dispatcher. */
  public D delegate() {
    return delegate;
  }

  /** The sink the real dispatcher publishes to (for tests that play the dispatcher). */
  public CompletionSink completions() {
    return this::completed;
  }

  @Override
  public boolean submit(DispatchJob job) {
    if (job.flightKey() == null) {
      return delegate.submit(job);
    }
    synchronized (this) {
      Flight f = byKey.get(job.flightKey());
      if (f != null && waiting < MAX_FOLLOWERS) {
        f.followers.add(job);
        waiting++;
        return true;
      }
      if (f != null) {
        return delegate.submit(job); // too many waiting: a call of its own
      }
      Flight mine = new Flight(job);
      byKey.put(job.flightKey(), mine);
      byLeader.put(leaderKey(job.requestId(), job.dispatch()), mine);
      boolean taken = delegate.submit(job); // never blocks; may even complete at once
      if (!taken) {
        byKey.remove(job.flightKey(), mine);
        byLeader.remove(leaderKey(job.requestId(), job.dispatch()));
      }
      return taken;
    }
  }

  /** Requests answered so far by another request's call. */
  public synchronized long shared() {
    return shared;
  }

  private void completed(int partition, Completion c) {
    Flight f;
    synchronized (this) {
      f = byLeader.remove(leaderKey(c.getRequestId(), c.getDispatch()));
      if (f != null) {
        byKey.remove(f.leader.flightKey(), f);
        waiting -= f.followers.size();
        if (shareable(c)) {
          shared += f.followers.size();
        }
      }
    }
    out.publish(partition, c);
    if (f == null) {
      return;
    }
    String leaderId = f.leader.requestId();
    for (DispatchJob follower : f.followers) {
      if (shareable(c) || !submit(follower)) {
        out.publishShared(follower.partition(), copyFor(follower, c), leaderId);
      }
    }
  }

  /** Whether the followers may take {@code c} as their own answer (see the class comment). */
  static boolean shareable(Completion c) {
    if (c.getOk()) {
      return true;
    }
    boolean ownDeadline = c.getError() != null && "timeout".equals(c.getError().getCode());
    return !ownDeadline && c.getStreamedChunks() == 0;
  }

  /** The leader's completion as the follower's: its ids, no calls, no usage, no cost. */
  static Completion copyFor(DispatchJob follower, Completion c) {
    return Completion.newBuilder(c)
        .setRequestId(follower.requestId())
        .setSessionId(follower.sessionId())
        .setDispatch(follower.dispatch())
        .setAttempts(List.of())
        .setUsage(new TokenUsage(0, 0, 0))
        .setCostUsd(0.0)
        .setStreamedChunks(0)
        .setFirstTokenMs(null)
        .build();
  }

  private static String leaderKey(String requestId, int dispatch) {
    return dispatch + "/" + requestId;
  }

  @Override
  public int inFlight() {
    return delegate.inFlight();
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** One call in flight and the jobs waiting for it. */
  private static final class Flight {
    final DispatchJob leader;
    final List<DispatchJob> followers = new ArrayList<>();

    Flight(DispatchJob leader) {
      this.leader = leader;
    }
  }
}
