package io.sluice.dispatch;

import io.sluice.events.ErrorInfo;
import io.sluice.events.TokenUsage;
import io.sluice.internal.Attempt;
import io.sluice.internal.Completion;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.provider.ChatCall;
import io.sluice.provider.ChatResult;
import io.sluice.provider.ProviderClient;
import io.sluice.provider.ProviderFailure;
import io.sluice.routing.Deployment;
import io.sluice.routing.DeploymentState;
import io.sluice.routing.ModelCatalog;
import io.sluice.routing.ModelRoute;
import io.sluice.routing.Router;
import io.sluice.routing.RoutingSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher of one instance. For each job it walks the alias and then its fallbacks: the
 * router picks a deployment (by strategy, skipping open circuits), the call runs on that provider's
 * lane (at most {@code max_concurrency} in flight, the rest queued by priority, then age), and the
 * outcome decides what is next:
 *
 * <ul>
 *   <li>an answer: done;
 *   <li>a retriable failure (timeout, connection, 429, 5xx, overload): retried up to the alias's
 *       {@code retries} after an exponential backoff with full jitter, never sooner than the
 *       provider's {@code Retry-After}; then the next fallback;
 *   <li>a context-window error: the next fallback at once, without retries;
 *   <li>a terminal failure (400, 401, 403, 404): done, with that error.
 * </ul>
 *
 * Nothing blocks: backoffs are timers on one scheduler thread, calls are okhttp async calls, and
 * each job ends in exactly one completion published to its partition.
 */
public final class HttpDispatcher implements Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(HttpDispatcher.class);

  private final ModelCatalog catalog;
  private final Router router;
  private final Map<String, ProviderClient> clients;
  private final Map<String, Lane> lanes = new HashMap<>();
  private final CompletionSink sink;
  private final int maxQueued;
  private final RoutingSettings settings;
  private final GatewayMetrics metrics;
  private final Clock clock;
  private final ScheduledExecutorService timers;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger seq = new AtomicInteger();
  private volatile boolean closed;

  public HttpDispatcher(
      ModelCatalog catalog,
      Router router,
      Map<String, ProviderClient> clients,
      Map<String, Integer> maxConcurrency,
      CompletionSink sink,
      int maxQueued,
      RoutingSettings settings,
      GatewayMetrics metrics,
      Clock clock) {
    this.catalog = catalog;
    this.router = router;
    this.clients = Map.copyOf(clients);
    clients.keySet().forEach(p -> lanes.put(p, new Lane(maxConcurrency.getOrDefault(p, 256))));
    this.sink = sink;
    this.maxQueued = maxQueued;
    this.settings = settings;
    this.metrics = metrics;
    this.clock = clock;
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-dispatch-timer");
              t.setDaemon(true);
              return t;
            });
    for (String alias : catalog.aliases()) {
      catalog
          .route(alias)
          .ifPresent(r -> r.deployments().forEach(d -> metrics.deployment(router.state(d))));
    }
  }

  @Override
  public boolean submit(DispatchJob job) {
    if (closed || queued.get() >= maxQueued) {
      return false;
    }
    ModelRoute route = catalog.route(job.model()).orElse(null);
    List<String> chain = new ArrayList<>();
    chain.add(job.model());
    if (route != null) {
      chain.addAll(route.fallbacks());
    }
    new Run(job, chain, route == null ? 0 : route.retries()).route();
    return true;
  }

  @Override
  public int inFlight() {
    return inFlight.get();
  }

  /** Jobs waiting for a provider lane. */
  public int queued() {
    return queued.get();
  }

  /** One job's way through its alias, retries and fallbacks. */
  private final class Run implements Comparable<Run> {
    final DispatchJob job;
    final List<String> chain;
    final int order = seq.incrementAndGet();
    final List<Attempt> attempts = new ArrayList<>();
    int link;
    int retriesLeft;
    int retryNo;
    DeploymentState chosen;
    ProviderFailure last;

    Run(DispatchJob job, List<String> chain, int retries) {
      this.job = job;
      this.chain = chain;
      this.retriesLeft = retries;
    }

    @Override
    public int compareTo(Run o) {
      int byPriority = Integer.compare(o.job.priority(), job.priority());
      return byPriority != 0 ? byPriority : Integer.compare(order, o.order);
    }

    /** Picks a deployment for the current link and queues the call, or moves on. */
    void route() {
      while (link < chain.size()) {
        ModelRoute route = catalog.route(chain.get(link)).orElse(null);
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
        DeploymentState s = router.acquire(route);
        if (s != null) {
          metrics.deployment(s);
          chosen = s;
          Lane lane = lanes.get(s.deployment().provider());
          if (lane == null) {
            router.released(s);
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
      finish(null, last);
    }

    void nextLink() {
      link++;
      if (link < chain.size()) {
        metrics.fallback(chain.get(link - 1), chain.get(link));
        retriesLeft = catalog.route(chain.get(link)).map(ModelRoute::retries).orElse(0);
        retryNo = 0;
      }
    }

    void execute(Lane lane) {
      long start = clock.millis();
      if (start >= job.deadlineMs()) {
        router.released(chosen);
        lane.leave();
        finish(
            null,
            new ProviderFailure(
                ProviderFailure.Kind.RETRIABLE,
                "timeout",
                "deadline passed before " + chosen.deployment().provider() + " could be called",
                null,
                null));
        return;
      }
      Deployment d = chosen.deployment();
      ProviderClient client = clients.get(d.provider());
      inFlight.incrementAndGet();
      client
          .call(
              new ChatCall(d.providerModel(), job.messages(), job.params(), job.tools()),
              Duration.ofMillis(job.deadlineMs() - start))
          .whenComplete(
              (outcome, e) -> {
                inFlight.decrementAndGet();
                lane.leave();
                try {
                  if (e != null) {
                    throw e;
                  }
                  onOutcome(chosen, outcome, start, clock.millis());
                } catch (Throwable t) {
                  log.error("dispatch of {} failed unexpectedly", job.requestId(), t);
                  finish(
                      null,
                      new ProviderFailure(
                          ProviderFailure.Kind.TERMINAL,
                          "internal_error",
                          String.valueOf(t),
                          null,
                          null));
                }
              });
    }

    void onOutcome(DeploymentState s, ProviderClient.Outcome outcome, long start, long end) {
      Deployment d = s.deployment();
      attempts.add(attempt(d, start, end, outcome));
      long took = end - start;
      if (outcome.ok()) {
        router.succeeded(s, took);
        metrics.providerCall(d.provider(), "ok", took);
        finish(s, null, outcome.result());
        return;
      }
      ProviderFailure f = outcome.failure();
      last = f;
      metrics.providerCall(d.provider(), f.code(), took);
      if (f.kind() == ProviderFailure.Kind.RETRIABLE) {
        router.failed(s, took, new ProviderException(f));
      } else {
        router.succeeded(s, took);
      }
      switch (f.kind()) {
        case TERMINAL -> finish(null, f);
        case CONTEXT_WINDOW -> {
          nextLink();
          route();
        }
        case RETRIABLE -> {
          if (retriesLeft > 0) {
            long delay = backoff(++retryNo, f.retryAfter());
            if (clock.millis() + delay < job.deadlineMs()) {
              retriesLeft--;
              metrics.retry(d.provider());
              timers.schedule(this::route, delay, TimeUnit.MILLISECONDS);
              return;
            }
          }
          nextLink();
          route();
        }
      }
    }

    void finish(DeploymentState s, ProviderFailure f) {
      finish(s, f, null);
    }

    void finish(DeploymentState s, ProviderFailure f, ChatResult r) {
      double cost = attempts.stream().mapToDouble(Attempt::getCostUsd).sum();
      Completion.Builder c =
          Completion.newBuilder()
              .setRequestId(job.requestId())
              .setSessionId(job.sessionId())
              .setDispatch(job.dispatch())
              .setCostUsd(cost)
              .setAttempts(new ArrayList<>(attempts));
      if (r != null) {
        c.setOk(true)
            .setContent(r.content())
            .setToolCalls(new ArrayList<>(r.toolCalls()))
            .setFinishReason(r.finishReason())
            .setUsage(
                new TokenUsage(
                    r.promptTokens(),
                    r.completionTokens(),
                    r.promptTokens() + r.completionTokens()))
            .setProvider(s.deployment().provider())
            .setProviderModel(s.deployment().providerModel())
            .setError(null);
      } else {
        c.setOk(false)
            .setUsage(new TokenUsage(0, 0, 0))
            .setError(new ErrorInfo(f.code(), f.message(), f.retryable(), f.httpStatus()));
      }
      sink.publish(job.partition(), c.build());
    }
  }

  /** Exponential backoff with full jitter, never shorter than the provider's Retry-After. */
  long backoff(int retryNo, Duration retryAfter) {
    long cap =
        Math.min(
            settings.backoffMax().toMillis(),
            settings.backoffBase().toMillis() << Math.min(20, retryNo - 1));
    long delay = ThreadLocalRandom.current().nextLong(cap + 1);
    return retryAfter == null ? delay : Math.max(delay, retryAfter.toMillis());
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

  /** A failure as the circuit breaker records it. */
  static final class ProviderException extends Exception {
    ProviderException(ProviderFailure f) {
      super(f.code() + ": " + f.message(), null, false, false);
    }
  }

  /** One provider's concurrency limit and its queue of waiting runs. */
  private final class Lane {
    final int limit;
    final PriorityQueue<Run> waiting = new PriorityQueue<>();
    int running;

    Lane(int limit) {
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
      next.execute(this);
    }
  }

  @Override
  public void close() {
    closed = true;
    timers.shutdownNow();
  }
}
