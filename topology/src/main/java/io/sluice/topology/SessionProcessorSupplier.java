package io.sluice.topology;

import io.sluice.bounds.RecordLimits;
import io.sluice.dispatch.Dispatcher;
import io.sluice.events.Response;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import io.sluice.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Supplies the session processor and owns its stores: {@code sessions}, {@code pending}, and with
 * an idempotency window {@code answered}.
 */
final class SessionProcessorSupplier
    implements ProcessorSupplier<String, SessionInput, String, SessionOutput> {
  static final String SESSIONS = "sessions";
  static final String PENDING = "pending";
  static final String ANSWERED = "answered";

  private final Supplier<Dispatcher> dispatcher;
  private final ReplyTopics replyTopics;
  private final SessionSettings settings;
  private final CacheSettings cache;
  private final ToolSettings tools;
  private final GatewayMetrics metrics;
  private final Serde<SessionState> sessionSerde;
  private final Serde<PendingRequest> pendingSerde;
  private final Serde<Response> responseSerde;
  private final OutputBounds bounds;

  SessionProcessorSupplier(
      Supplier<Dispatcher> dispatcher,
      SessionSettings settings,
      CacheSettings cache,
      ToolSettings tools,
      GatewayMetrics metrics,
      Serde<SessionState> sessionSerde,
      Serde<PendingRequest> pendingSerde,
      Serde<Response> responseSerde,
      RecordLimits limits,
      ReplyTopics replyTopics) {
    this.replyTopics = replyTopics;
    this.dispatcher = dispatcher;
    this.settings = settings;
    this.cache = cache;
    this.tools = tools;
    this.metrics = metrics;
    this.sessionSerde = sessionSerde;
    this.pendingSerde = pendingSerde;
    this.responseSerde = responseSerde;
    this.bounds = new OutputBounds(limits, metrics);
  }

  @Override
  public Processor<String, SessionInput, String, SessionOutput> get() {
    return new SessionProcessor(
        dispatcher.get(), settings, cache, tools, metrics, bounds, replyTopics);
  }

  /**
   * No record cache on either store: the processor keeps queues and heads in memory and reads the
   * stores only at start-up (and {@code sessions} for history), so a cache in front of them would
   * only copy every write once more before the commit flushes it.
   */
  @Override
  public Set<StoreBuilder<?>> stores() {
    StoreBuilder<KeyValueStore<String, SessionState>> sessions =
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SESSIONS), Serdes.String(), sessionSerde)
            .withCachingDisabled();
    StoreBuilder<KeyValueStore<String, PendingRequest>> pending =
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(PENDING), Serdes.String(), pendingSerde)
            .withCachingDisabled();
    if (!settings.idempotent()) {
      return Set.of(sessions, pending);
    }
    return Set.of(sessions, pending, answered());
  }

  /**
   * Answers by request_id for the idempotency window: a window store whose retention is the window,
   * each answer a point in time (when it was answered), so that expired answers go with whole
   * segments and their changelog (compact,delete) with its retention, and no sweep reads the store
   * for them. Kafka Streams keeps the changelog for the window plus {@code
   * windowstore.changelog.additional.retention.ms} (1 day by default).
   */
  private StoreBuilder<WindowStore<String, Response>> answered() {
    return Stores.windowStoreBuilder(
            Stores.persistentWindowStore(
                ANSWERED, settings.idempotencyWindow(), Duration.ofMillis(1), false),
            Serdes.String(),
            responseSerde)
        .withCachingDisabled();
  }
}
