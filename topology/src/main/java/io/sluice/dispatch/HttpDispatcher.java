package io.sluice.dispatch;

import io.sluice.events.ErrorInfo;
import io.sluice.events.TokenUsage;
import io.sluice.internal.Attempt;
import io.sluice.internal.Completion;
import io.sluice.provider.ChatCall;
import io.sluice.provider.ChatResult;
import io.sluice.provider.ProviderClient;
import io.sluice.provider.ProviderFailure;
import io.sluice.routing.Deployment;
import io.sluice.routing.ModelCatalog;
import io.sluice.routing.ModelRoute;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher of one instance: picks a deployment for each job, runs the call on that provider's
 * lane (at most {@code max_concurrency} in flight, the rest queued by priority, then age), and
 * publishes one completion per job.
 */
public final class HttpDispatcher implements Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(HttpDispatcher.class);

  private final ModelCatalog catalog;
  private final Map<String, ProviderClient> clients;
  private final Map<String, Lane> lanes = new HashMap<>();
  private final CompletionSink sink;
  private final int maxQueued;
  private final Clock clock;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closed;

  public HttpDispatcher(
      ModelCatalog catalog,
      Map<String, ProviderClient> clients,
      Map<String, Integer> maxConcurrency,
      CompletionSink sink,
      int maxQueued,
      Clock clock) {
    this.catalog = catalog;
    this.clients = Map.copyOf(clients);
    clients.keySet().forEach(p -> lanes.put(p, new Lane(p, maxConcurrency.getOrDefault(p, 256))));
    this.sink = sink;
    this.maxQueued = maxQueued;
    this.clock = clock;
  }

  @Override
  public boolean submit(DispatchJob job) {
    if (closed || queued.get() >= maxQueued) {
      return false;
    }
    ModelRoute route = catalog.route(job.model()).orElse(null);
    if (route == null) {
      finish(
          job,
          null,
          List.of(),
          failure("unknown_model", "no route for model '" + job.model() + "'"));
      return true;
    }
    Deployment d = pick(route.deployments());
    Lane lane = lanes.get(d.provider());
    if (lane == null) {
      finish(
          job,
          null,
          List.of(),
          failure("unknown_provider", "no client for provider '" + d.provider() + "'"));
      return true;
    }
    lane.enter(new Run(job, d));
    return true;
  }

  private static Deployment pick(List<Deployment> ds) {
    double total = 0;
    for (Deployment d : ds) {
      total += d.weight();
    }
    if (total <= 0) {
      return ds.get(0);
    }
    double r = ThreadLocalRandom.current().nextDouble(total);
    for (Deployment d : ds) {
      r -= d.weight();
      if (r < 0) {
        return d;
      }
    }
    return ds.get(ds.size() - 1);
  }

  @Override
  public int inFlight() {
    return inFlight.get();
  }

  /** Jobs waiting for a provider lane. */
  public int queued() {
    return queued.get();
  }

  /** One job on its way through a deployment. */
  private final class Run implements Comparable<Run> {
    private static final AtomicInteger SEQ = new AtomicInteger();
    final DispatchJob job;
    final Deployment deployment;
    final int seq = SEQ.incrementAndGet();

    Run(DispatchJob job, Deployment deployment) {
      this.job = job;
      this.deployment = deployment;
    }

    @Override
    public int compareTo(Run o) {
      int byPriority = Integer.compare(o.job.priority(), job.priority());
      return byPriority != 0 ? byPriority : Integer.compare(seq, o.seq);
    }

    void execute(Lane lane) {
      long start = clock.millis();
      Duration left = Duration.ofMillis(job.deadlineMs() - start);
      ProviderClient client = clients.get(deployment.provider());
      inFlight.incrementAndGet();
      client
          .call(
              new ChatCall(deployment.providerModel(), job.messages(), job.params(), job.tools()),
              left)
          .whenComplete(
              (outcome, e) -> {
                inFlight.decrementAndGet();
                lane.leave();
                long end = clock.millis();
                if (e != null) {
                  log.error("provider call of {} failed unexpectedly", job.requestId(), e);
                  finish(job, deployment, List.of(), failure("internal_error", String.valueOf(e)));
                  return;
                }
                Attempt attempt = attempt(deployment, start, end, outcome);
                if (outcome.ok()) {
                  finish(job, deployment, List.of(attempt), outcome.result());
                } else {
                  finish(job, deployment, List.of(attempt), outcome.failure());
                }
              });
    }
  }

  private static Attempt attempt(
      Deployment d, long start, long end, ProviderClient.Outcome outcome) {
    ChatResult r = outcome.result();
    ProviderFailure f = outcome.failure();
    int prompt = r == null ? 0 : r.promptTokens();
    int completion = r == null ? 0 : r.completionTokens();
    return new Attempt(
        d.provider(),
        d.providerModel(),
        start,
        end,
        r != null,
        r != null ? Integer.valueOf(200) : f.httpStatus(),
        f == null ? null : f.code(),
        prompt,
        completion,
        d.cost(prompt, completion));
  }

  /** A lane: one provider's concurrency limit and its queue of waiting runs. */
  private final class Lane {
    final String provider;
    final int limit;
    final java.util.PriorityQueue<Run> waiting = new java.util.PriorityQueue<>();
    int running;

    Lane(String provider, int limit) {
      this.provider = provider;
      this.limit = limit;
    }

    void enter(Run run) {
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

    void leave() {
      Run next;
      synchronized (this) {
        next = waiting.poll();
        if (next == null) {
          running--;
          return;
        }
        queued.decrementAndGet();
      }
      if (clock.millis() >= next.job.deadlineMs()) {
        finish(
            next.job,
            next.deployment,
            List.of(),
            new ProviderFailure(
                ProviderFailure.Kind.RETRIABLE,
                "timeout",
                "deadline passed while waiting for " + provider,
                null,
                null));
        leave();
        return;
      }
      next.execute(this);
    }
  }

  private static ProviderFailure failure(String code, String message) {
    return new ProviderFailure(ProviderFailure.Kind.TERMINAL, code, message, null, null);
  }

  private void finish(DispatchJob job, Deployment d, List<Attempt> attempts, ChatResult r) {
    double cost = attempts.stream().mapToDouble(Attempt::getCostUsd).sum();
    Completion c =
        Completion.newBuilder()
            .setRequestId(job.requestId())
            .setSessionId(job.sessionId())
            .setDispatch(job.dispatch())
            .setOk(true)
            .setContent(r.content())
            .setToolCalls(new ArrayList<>(r.toolCalls()))
            .setFinishReason(r.finishReason())
            .setUsage(
                new TokenUsage(
                    r.promptTokens(),
                    r.completionTokens(),
                    r.promptTokens() + r.completionTokens()))
            .setCostUsd(cost)
            .setProvider(d.provider())
            .setProviderModel(d.providerModel())
            .setError(null)
            .setAttempts(new ArrayList<>(attempts))
            .build();
    sink.publish(job.partition(), c);
  }

  private void finish(DispatchJob job, Deployment d, List<Attempt> attempts, ProviderFailure f) {
    double cost = attempts.stream().mapToDouble(Attempt::getCostUsd).sum();
    Completion c =
        Completion.newBuilder()
            .setRequestId(job.requestId())
            .setSessionId(job.sessionId())
            .setDispatch(job.dispatch())
            .setOk(false)
            .setUsage(new TokenUsage(0, 0, 0))
            .setCostUsd(cost)
            .setProvider(d == null ? null : d.provider())
            .setProviderModel(d == null ? null : d.providerModel())
            .setError(new ErrorInfo(f.code(), f.message(), f.retryable(), f.httpStatus()))
            .setAttempts(new ArrayList<>(attempts))
            .build();
    sink.publish(job.partition(), c);
  }

  @Override
  public void close() {
    closed = true;
  }
}
