package io.sluice.dispatch;

import io.sluice.internal.Attempt;
import io.sluice.provider.ChatCall;
import io.sluice.provider.ChatResult;
import io.sluice.provider.ProviderClient;
import io.sluice.provider.ProviderFailure;
import io.sluice.provider.stream.StreamDelta;
import io.sluice.routing.Deployment;
import io.sluice.routing.DeploymentState;
import io.sluice.routing.ModelRoute;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job's way through its alias, retries and fallbacks, ending in exactly one completion.
 *
 * <p>Threading: a run is never worked on by two threads at once. It is started by the submitting
 * stream thread, continued by the HTTP client thread that completes its call or by the timer thread
 * after a backoff, and each of those hands it on before it returns; the hand-off through the lane's
 * lock or the executor publishes its fields to the next thread.
 */
final class DispatchRun implements Comparable<DispatchRun> {
  private static final Logger log = LoggerFactory.getLogger(DispatchRun.class);

  /** The error of a stream that broke after its first chunk. */
  static final String STREAM_INTERRUPTED = "stream_interrupted";

  private final DispatchContext ctx;
  private final DispatchJob job;
  private final List<String> chain;
  private final int order;
  private final List<Attempt> attempts = new ArrayList<>();
  private int link;
  private int retriesLeft;
  private int retryNo;
  private DeploymentState chosen;
  private ProviderFailure last;
  private ChunkStream chunks; // the current attempt's, when the job streams

  /**
   * @param chain the requested model, then its fallbacks
   * @param retries the retries of the first link
   * @param order the submission order, which breaks ties of priority in a lane
   */
  DispatchRun(DispatchContext ctx, DispatchJob job, List<String> chain, int retries, int order) {
    this.ctx = ctx;
    this.job = job;
    this.chain = chain;
    this.retriesLeft = retries;
    this.order = order;
  }

  @Override
  public int compareTo(DispatchRun o) {
    int byPriority = Integer.compare(o.job.priority(), job.priority());
    return byPriority != 0 ? byPriority : Integer.compare(order, o.order);
  }

  /** Picks a deployment for the current link and queues the call, or moves on. */
  void route() {
    while (link < chain.size()) {
      ModelRoute route = ctx.catalog().route(chain.get(link)).orElse(null);
      if (route == null) {
        last =
            new ProviderFailure(
                ProviderFailure.Kind.TERMINAL,
                "unknown_model",
                "no route for model '" + chain.get(link) + "'",
                null,
                null);
        nextLink();
        continue;
      }
      DeploymentState s = ctx.router().acquire(route);
      if (s != null) {
        ctx.metrics().deployment(s);
        chosen = s;
        ProviderLane lane = ctx.lanes().get(s.deployment().provider());
        if (lane == null) {
          ctx.router().released(s);
          last =
              new ProviderFailure(
                  ProviderFailure.Kind.TERMINAL,
                  "unknown_provider",
                  "no client for provider '" + s.deployment().provider() + "'",
                  null,
                  null);
          nextLink();
          continue;
        }
        lane.enter(this);
        return;
      }
      last =
          new ProviderFailure(
              ProviderFailure.Kind.RETRIABLE,
              "circuit_open",
              "every deployment of '" + route.alias() + "' has an open circuit",
              null,
              null);
      nextLink();
    }
    finish(null, last, null);
  }

  private void nextLink() {
    link++;
    if (link < chain.size()) {
      ctx.metrics().fallback(chain.get(link - 1), chain.get(link));
      retriesLeft = ctx.catalog().route(chain.get(link)).map(ModelRoute::retries).orElse(0);
      retryNo = 0;
    }
  }

  /** Calls the chosen deployment; called by {@code lane} once this run holds one of its slots. */
  void execute(ProviderLane lane) {
    long start = ctx.clock().millis();
    if (start >= job.deadlineMs()) {
      ctx.router().released(chosen);
      lane.leave();
      finish(
          null,
          new ProviderFailure(
              ProviderFailure.Kind.RETRIABLE,
              "timeout",
              "deadline passed before " + chosen.deployment().provider() + " could be called",
              null,
              null),
          null);
      return;
    }
    Deployment d = chosen.deployment();
    ProviderClient client = ctx.clients().get(d.provider());
    ctx.inFlight().incrementAndGet();
    ChatCall call = new ChatCall(d.providerModel(), job.messages(), job.params(), job.tools());
    Duration wait = Duration.ofMillis(job.deadlineMs() - start);
    CompletableFuture<ProviderClient.Outcome> pending;
    if (job.streamsChunks()) {
      // a stream per attempt: one abandoned before its first chunk writes nothing more
      ChunkStream attempt = new ChunkStream(ctx.chunks(), job, ctx.clock(), ctx.maxChunkChars());
      chunks = attempt;
      pending = client.stream(call, wait, delta -> onDelta(attempt, delta, d, start));
    } else {
      pending = client.call(call, wait);
    }
    pending.whenComplete(
        (outcome, e) -> {
          ctx.inFlight().decrementAndGet();
          lane.leave();
          try {
            if (e != null) {
              throw e;
            }
            onOutcome(chosen, outcome, start, ctx.clock().millis());
          } catch (Throwable t) {
            log.error("dispatch of {} failed unexpectedly", job.requestId(), t);
            if (chunks != null) {
              chunks.interrupted(STREAM_INTERRUPTED, "internal error"); // no-op once ended
            }
            finish(
                null,
                new ProviderFailure(
                    ProviderFailure.Kind.TERMINAL, "internal_error", String.valueOf(t), null, null),
                null);
          }
        });
  }

  /** On the transport's I/O thread: the delta goes out as chunks at once. */
  private void onDelta(ChunkStream attempt, StreamDelta delta, Deployment d, long start) {
    boolean first = attempt.sent() == 0;
    attempt.delta(delta);
    if (first && attempt.sent() > 0) {
      ctx.metrics().timeToFirstToken(d.provider(), job.model(), ctx.clock().millis() - start);
    }
  }

  private void onOutcome(DeploymentState s, ProviderClient.Outcome outcome, long start, long end) {
    Deployment d = s.deployment();
    attempts.add(CompletionRecords.attempt(d, start, end, outcome));
    long took = end - start;
    if (outcome.ok()) {
      ctx.router().succeeded(s, took);
      ctx.metrics().providerCall(d.provider(), "ok", took);
      if (chunks != null) {
        chunks.end(outcome.result().finishReason());
      }
      finish(s, null, outcome.result());
      return;
    }
    ProviderFailure f = outcome.failure();
    last = f;
    ctx.metrics().providerCall(d.provider(), f.code(), took);
    if (f.kind() == ProviderFailure.Kind.RETRIABLE) {
      ctx.router().failed(s, took, new ProviderException(f));
    } else {
      ctx.router().succeeded(s, took);
    }
    if (chunks != null && !chunks.abandonIfEmpty()) {
      // chunks are out: the client has part of this answer, so no other attempt may start over
      chunks.interrupted(STREAM_INTERRUPTED, f.message());
      ctx.sink()
          .publish(job.partition(), CompletionRecords.interrupted(job, attempts, d, f, chunks));
      return;
    }
    switch (f.kind()) {
      case TERMINAL -> finish(null, f, null);
      case CONTEXT_WINDOW -> {
        nextLink();
        route();
      }
      case RETRIABLE -> {
        if (retriesLeft > 0) {
          long delay = Backoff.delayMs(ctx.settings(), ++retryNo, f.retryAfter());
          if (ctx.clock().millis() + delay < job.deadlineMs()) {
            retriesLeft--;
            ctx.metrics().retry(d.provider());
            ctx.timers().schedule(this::route, delay, TimeUnit.MILLISECONDS);
            return;
          }
        }
        nextLink();
        route();
      }
    }
  }

  /** Ends the run: the answer {@code r} from {@code s}, or the failure {@code f}. */
  private void finish(DeploymentState s, ProviderFailure f, ChatResult r) {
    Deployment answered = s == null ? null : s.deployment();
    ctx.sink()
        .publish(
            job.partition(),
            CompletionRecords.completion(job, attempts, answered, f, r, r == null ? null : chunks));
  }

  /** A failure as the circuit breaker records it. */
  static final class ProviderException extends Exception {
    ProviderException(ProviderFailure f) {
      super(f.code() + ": " + f.message(), null, false, false);
    }
  }
}
