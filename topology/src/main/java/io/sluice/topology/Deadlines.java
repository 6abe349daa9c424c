package io.sluice.topology;

import java.util.PriorityQueue;

/**
 * The times a task waits for: each pending request's deadline and each tool round's. An entry is
 * never removed when its request is answered or its round ends early: the punctuation that polls it
 * checks the request again and skips a stale entry.
 */
final class Deadlines {
  private record Deadline(long at, String requestId) implements Comparable<Deadline> {
    @Override
    public int compareTo(Deadline o) {
      return Long.compare(at, o.at);
    }
  }

  private final PriorityQueue<Deadline> requests = new PriorityQueue<>();
  private final PriorityQueue<Deadline> toolRounds = new PriorityQueue<>();

  void request(long at, String requestId) {
    requests.add(new Deadline(at, requestId));
  }

  void toolRound(long at, String requestId) {
    toolRounds.add(new Deadline(at, requestId));
  }

  /** The next request whose deadline is at or before {@code now}, removed; or null. */
  String nextRequestDue(long now) {
    return poll(requests, now);
  }

  /** The next request whose tool round's deadline is at or before {@code now}, removed; or null. */
  String nextToolRoundDue(long now) {
    return poll(toolRounds, now);
  }

  private static String poll(PriorityQueue<Deadline> q, long now) {
    return !q.isEmpty() && q.peek().at() <= now ? q.poll().requestId() : null;
  }
}
