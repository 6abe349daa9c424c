package io.sluice.dispatch;

import io.sluice.metrics.GatewayMetrics;
import io.sluice.provider.ProviderClient;
import io.sluice.routing.ModelCatalog;
import io.sluice.routing.Router;
import io.sluice.routing.RoutingSettings;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every {@link DispatchRun} of one dispatcher shares: the catalog and router, the provider
 * clients and their lanes, the backoff timer thread, and where a finished run's completion goes.
 * All of it is thread-safe; runs move between the stream thread that submitted them, HTTP client
 * threads and the timer thread.
 *
 * @param lanes one lane per provider, keyed like {@code clients}
 * @param inFlight calls in flight to providers right now, across lanes
 * @param sink where each run publishes its one completion
 * @param chunks where streamed runs write their chunks
 * @param maxChunkChars the most text (or tool-argument) characters in one chunk
 */
record DispatchContext(
    ModelCatalog catalog,
    Router router,
    Map<String, ProviderClient> clients,
    Map<String, ProviderLane> lanes,
    RoutingSettings settings,
    GatewayMetrics metrics,
    Clock clock,
    ScheduledExecutorService timers,
    AtomicInteger inFlight,
    CompletionSink sink,
    ChunkSink chunks,
    int maxChunkChars) {}
