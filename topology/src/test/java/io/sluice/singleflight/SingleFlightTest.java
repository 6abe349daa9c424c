package io.sluice.singleflight;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.CompletionSink;
import io.sluice.dispatch.DispatchJob;
import io.sluice.dispatch.Dispatcher;
import io.sluice.events.ErrorInfo;
import io.sluice.events.TokenUsage;
import io.sluice.internal.Attempt;
import io.sluice.internal.Completion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SingleFlightTest {
  /** A dispatcher that records the jobs it is given, or refuses them when full. */
  private static final class Recording implements Dispatcher {
    final List<DispatchJob> jobs = new ArrayList<>();
    boolean full;

    @Override
    public boolean submit(DispatchJob job) {
      if (full) {
        return false;
      }
      jobs.add(job);
      return true;
    }

    @Override
    public int inFlight() {
      return jobs.size();
    }

    @Override
    public void close() {}
  }

  /** What single-flight published: partition, completion, and the shared-call mark (or null). */
  private record Out(int partition, Completion completion, String sharedCallOf) {}

  private final List<Out> out = new ArrayList<>();
  private final SingleFlight<Recording> flights =
      new SingleFlight<>(
          new CompletionSink() {
            @Override
            public void publish(int partition, Completion c) {
              out.add(new Out(partition, c, null));
            }

            @Override
            public void publishShared(int partition, Completion c, String sharedCallOf) {
              out.add(new Out(partition, c, sharedCallOf));
            }
          },
          sink -> new Recording());

  private static DispatchJob job(String id, int partition, String key) {
    return new DispatchJob(
        id,
        "s-" + id,
        partition,
        1,
        "gpt",
        List.of(),
        null,
        List.of(),
        Long.MAX_VALUE,
        5,
        false,
        null,
        null,
        key);
  }

  private static Completion ok(DispatchJob j) {
    return Completion.newBuilder()
        .setRequestId(j.requestId())
        .setSessionId(j.sessionId())
        .setDispatch(j.dispatch())
        .setOk(true)
        .setContent("Paris")
        .setToolCalls(List.of())
        .setUsage(new TokenUsage(7, 2, 9))
        .setCostUsd(0.01)
        .setProvider("sim")
        .setProviderModel("sim-gpt")
        .setAttempts(List.of(new Attempt("sim", "sim-gpt", 0L, 5L, true, 200, null, 7, 2, 0.01)))
        .build();
  }

  private static Completion failed(DispatchJob j, String code, int chunks) {
    return Completion.newBuilder(ok(j))
        .setOk(false)
        .setContent(null)
        .setError(new ErrorInfo(code, code, true, null, null))
        .setStreamedChunks(chunks)
        .build();
  }

  @Test
  void givenJobsWithTheSameKeyWhenTheLeadersCallEndsThenEachGetsACopyOnItsOwnPartition() {
    // Given a leader and two followers of one key, and a job of another key
    DispatchJob a = job("a", 0, "k");
    DispatchJob b = job("b", 1, "k");
    DispatchJob c = job("c", 2, "k");
    DispatchJob other = job("x", 0, "other");
    for (DispatchJob j : List.of(a, b, c, other)) {
      assertThat(flights.submit(j)).isTrue();
    }
    assertThat(flights.delegate().jobs).containsExactly(a, other);

    // When the leader's call ends
    flights.completions().publish(0, ok(a));

    // Then the leader's completion as it was, and a copy per follower: its ids, no calls, no cost
    assertThat(out).extracting(Out::partition).containsExactly(0, 1, 2);
    assertThat(out.get(0).completion()).isEqualTo(ok(a));
    assertThat(out.get(0).sharedCallOf()).isNull();
    assertThat(out.subList(1, 3))
        .allSatisfy(
            o -> {
              assertThat(o.sharedCallOf()).isEqualTo("a");
              assertThat(o.completion().getContent()).isEqualTo("Paris");
              assertThat(o.completion().getAttempts()).isEmpty();
              assertThat(o.completion().getCostUsd()).isZero();
              assertThat(o.completion().getUsage().getTotalTokens()).isZero();
            });
    assertThat(out.get(1).completion().getRequestId()).isEqualTo("b");
    assertThat(out.get(1).completion().getSessionId()).isEqualTo("s-b");

    // And the key is free again: the next job of it is a leader
    DispatchJob d = job("d", 0, "k");
    flights.submit(d);
    assertThat(flights.delegate().jobs).containsExactly(a, other, d);
  }

  @Test
  void givenJobsWithoutKeyThenEachMakesItsOwnCall() {
    flights.submit(job("a", 0, null));
    flights.submit(job("b", 0, null));

    assertThat(flights.delegate().jobs).hasSize(2);
  }

  @Test
  void givenTheLeadersOwnDeadlineEndedItsCallThenTheFollowersAreDispatchedAsANewFlight() {
    // Given a leader and two followers
    DispatchJob a = job("a", 0, "k");
    DispatchJob b = job("b", 1, "k");
    DispatchJob c = job("c", 1, "k");
    List.of(a, b, c).forEach(flights::submit);

    // When the leader's call ends with its own deadline
    flights.completions().publish(0, failed(a, "timeout", 0));

    // Then b leads a new call, c follows it, and nothing is answered for them yet
    assertThat(flights.delegate().jobs).containsExactly(a, b);
    assertThat(out).hasSize(1);
    flights.completions().publish(1, ok(b));
    assertThat(out).extracting(Out::sharedCallOf).containsExactly(null, null, "b");
  }

  @Test
  void givenTheLeadersStreamBrokeAfterItsFirstChunkThenTheFollowersAreDispatchedAgain() {
    DispatchJob a = job("a", 0, "k");
    DispatchJob b = job("b", 1, "k");
    List.of(a, b).forEach(flights::submit);

    flights.completions().publish(0, failed(a, "provider_error", 3));

    assertThat(flights.delegate().jobs).containsExactly(a, b);
    assertThat(out).hasSize(1);
  }

  @Test
  void givenTheFollowersCannotBeDispatchedAgainThenTheyGetTheLeadersError() {
    DispatchJob a = job("a", 0, "k");
    DispatchJob b = job("b", 1, "k");
    List.of(a, b).forEach(flights::submit);
    flights.delegate().full = true;

    flights.completions().publish(0, failed(a, "timeout", 0));

    assertThat(out).extracting(Out::sharedCallOf).containsExactly(null, "a");
    assertThat(out.get(1).completion().getError().getCode()).isEqualTo("timeout");
  }

  @Test
  void givenTheDispatcherRefusesTheLeaderThenNoFlightIsLeftBehind() {
    // Given a full dispatcher that refuses the would-be leader
    flights.delegate().full = true;
    assertThat(flights.submit(job("a", 0, "k"))).isFalse();

    // When it has room again; Then the next job of the key is a leader, not a follower of nothing
    flights.delegate().full = false;
    flights.submit(job("b", 0, "k"));
    assertThat(flights.delegate().jobs).extracting(DispatchJob::requestId).containsExactly("b");
  }

  @Test
  void givenACompletionOfAnEarlierDispatchOfTheLeaderThenItIsPassedOnAlone() {
    // Given a flight led by dispatch 1 of a
    DispatchJob a = job("a", 0, "k");
    flights.submit(a);
    flights.submit(job("b", 1, "k"));

    // When a completion of a's dispatch 2 arrives (not this flight's call)
    flights.completions().publish(0, Completion.newBuilder(ok(a)).setDispatch(2).build());

    // Then it is published as it is and the flight still waits for its own call
    assertThat(out).hasSize(1);
    flights.completions().publish(0, ok(a));
    assertThat(out).extracting(Out::sharedCallOf).containsExactly(null, null, "a");
  }
}
