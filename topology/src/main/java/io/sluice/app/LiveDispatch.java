package io.sluice.app;

import io.sluice.dispatch.HttpDispatcher;
import io.sluice.liveconfig.ConfigInForce;
import io.sluice.liveconfig.InForce;
import io.sluice.provider.HttpTransport;
import io.sluice.routing.Router;
import io.sluice.routing.RoutingSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Live configuration for the dispatcher: each version applied brings the provider clients in line
 * with it (unchanged providers keep theirs) and hands the dispatcher a new routing table, while
 * jobs already dispatched finish on the table, clients and router they had. A changed {@code
 * routing} section gets a new router (circuit breakers with the new settings); otherwise the router
 * and every deployment's circuit, calls in flight and latency survive. Replaced clients are closed
 * once every call that may still use them is over.
 *
 * <p>Runs on the config reader's thread, never on a stream thread.
 */
final class LiveDispatch implements AutoCloseable {
  private final ConfigInForce live;
  private final Providers providers;
  private final HttpDispatcher dispatcher;
  private final ScheduledExecutorService closer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-config-retire");
            t.setDaemon(true);
            return t;
          });
  private Router router;
  private RoutingSettings routing;

  private LiveDispatch(
      ConfigInForce live,
      Providers providers,
      HttpDispatcher dispatcher,
      Router router,
      RoutingSettings routing) {
    this.live = live;
    this.providers = providers;
    this.dispatcher = dispatcher;
    this.router = router;
    this.routing = routing;
  }

  /**
   * Follows {@code live} from now on; the dispatcher, {@code router} and the providers were built
   * from {@code built}, and a version applied since is applied at once.
   */
  static LiveDispatch follow(
      ConfigInForce live,
      InForce built,
      Providers providers,
      HttpDispatcher dispatcher,
      Router router) {
    LiveDispatch d = new LiveDispatch(live, providers, dispatcher, router, built.routing());
    live.onChange(d::apply);
    InForce now = live.current();
    if (now != built) {
      d.apply(now);
    }
    return d;
  }

  private synchronized void apply(InForce next) {
    if (!next.routing().equals(routing)) {
      router = new Router(next.routing());
      routing = next.routing();
    }
    dispatcher.retable(
        next.models(),
        router,
        providers.update(next.config()),
        Providers.maxConcurrency(next.config()),
        next.routing());
    List<HttpTransport> retired = providers.takeRetired();
    if (!retired.isEmpty()) {
      // a call on a replaced client ends within its old deadline, retries and backoffs included
      long grace =
          Math.max(
              SluiceApp.sessionSettings(live.current().config()).orphanAfter().toMillis(),
              SluiceApp.sessionSettings(next.config()).orphanAfter().toMillis());
      closer.schedule(
          () -> retired.forEach(HttpTransport::close),
          Math.max(grace, Duration.ofMinutes(1).toMillis()),
          TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    closer.shutdownNow();
  }
}
