package io.sluice.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.sluice.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's Kafka Streams client: checked by {@link StateGuard} before every start, and
 * replaced by a new client, with the global state deleted, when the response cache's global store
 * failed in a way only a new client recovers from.
 *
 * <p>What Kafka Streams 4.3.1 does (seen in {@code StaleStateIT} and {@code
 * CacheRebuildWhileRunningIT}): the global consumer always runs with {@code
 * auto.offset.reset=none}, so a position outside the log (the log start moved past it, the topic
 * was recreated) throws an {@link InvalidOffsetException}. While running, the global thread deletes
 * the global state directory, calls the uncaught exception handler and dies, and a dead global
 * thread always stops the whole client ({@code ERROR}): unlike a stream thread it cannot be
 * replaced. While restoring, it deletes the store too but then fails in its own cleanup, so {@link
 * KafkaStreams#start()} returns, the client never reaches {@code RUNNING}, and the stream threads
 * fail on the closed store. Under exactly-once a store left open by a crash makes {@code start()}
 * throw a {@link TaskCorruptedException} and is not deleted. This class catches each ({@link
 * #startFailure}, {@link #runningFailure}) and starts a new client without the store, at most
 * {@value #MAX_RESTARTS} times in {@link #WINDOW}; after that the failure stops the gateway like
 * any other. Every other failure goes to the handler set with {@link #setUncaughtExceptionHandler},
 * and a replaced client's stops never reach the listener.
 *
 * <p>Threads: the handler and the listeners run on Kafka Streams' threads; a replacement runs on a
 * thread of its own (a client cannot be closed from one of its threads) under this object's lock,
 * like {@link #start()} and {@link #close(CloseOptions)}. The handler never takes that lock: {@code
 * close} waits for Kafka Streams' threads while holding it.
 */
final class RestartableStreams {
  private static final Logger log = LoggerFactory.getLogger(RestartableStreams.class);
  static final int MAX_RESTARTS = 3;
  static final Duration WINDOW = Duration.ofMinutes(10);

  private final Supplier<KafkaStreams> factory;
  private final StateGuard guard;
  private final MeterRegistry registry;
  private final GatewayMetrics metrics;

  /** Start times of the restarts within the window; guarded by itself, never by {@code this}. */
  private final Deque<Long> restarts = new ArrayDeque<>();

  private final ExecutorService restarter =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-streams-restart");
            t.setDaemon(true);
            return t;
          });
  private volatile StreamsUncaughtExceptionHandler handler =
      e -> StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  private volatile KafkaStreams.StateListener listener = (now, before) -> {};
  private volatile Client current;
  private volatile boolean closed;
  private volatile boolean failed;

  /** One client, the metrics bound to it, and whether its stops are a replacement's. */
  private final class Client {
    final KafkaStreams streams;
    final KafkaStreamsMetrics bound;
    volatile boolean starting;
    final AtomicBoolean replaced = new AtomicBoolean();

    Client() {
      streams = factory.get();
      streams.setUncaughtExceptionHandler(e -> uncaught(this, e));
      streams.setStateListener(
          (now, before) -> {
            boolean stop =
                now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR;
            if (replaced.get() || (starting && stop)) {
              log.info("Kafka Streams (client being replaced): {} -> {}", before, now);
            } else {
              listener.onChange(now, before);
            }
          });
      bound = new KafkaStreamsMetrics(streams);
      bound.bindTo(registry);
    }

    void close(CloseOptions options) {
      streams.close(options);
      bound.close();
    }
  }

  RestartableStreams(
      Supplier<KafkaStreams> factory,
      StateGuard guard,
      MeterRegistry registry,
      GatewayMetrics metrics) {
    this.factory = factory;
    this.guard = guard;
    this.registry = registry;
    this.metrics = metrics;
  }

  /** Handles every failure but the recoverable one above; set it before {@link #start()}. */
  void setUncaughtExceptionHandler(StreamsUncaughtExceptionHandler handler) {
    this.handler = handler;
  }

  /** Sees the state changes of the current client; set it before {@link #start()}. */
  void setStateListener(KafkaStreams.StateListener listener) {
    this.listener = listener;
  }

  synchronized void start() throws Exception {
    Client client = new Client();
    current = client;
    guard.check(client.streams);
    client.starting = true;
    try {
      client.streams.start();
      client.starting = false;
    } catch (StreamsException e) {
      String reason = startFailure(e);
      if (closed || reason == null || !mayRestart()) {
        client.starting = false;
        throw e;
      }
      client.replaced.set(true);
      warn(reason, e);
      client.close(CloseOptions.timeout(Duration.ofSeconds(30)));
      guard.deleteCache();
      start();
    }
  }

  private StreamThreadExceptionResponse uncaught(Client client, Throwable e) {
    if (client.replaced.get()) {
      // a client being replaced may fail further on its way down: not the gateway's concern
      log.info("Kafka Streams (client being replaced) failed: {}", e.toString());
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    boolean global = Thread.currentThread().getName().endsWith("-GlobalStreamThread");
    String reason = runningFailure(e, global);
    if (reason != null && !closed && client.replaced.compareAndSet(false, true)) {
      if (!mayRestart()) {
        client.replaced.set(false);
        return handler.handle(e);
      }
      warn(reason, e);
      restarter.execute(() -> replace(client));
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    StreamThreadExceptionResponse response = handler.handle(e);
    // Kafka Streams 4.3.1 cannot replace its global thread: asked to, it stops the client anyway,
    // then fails with a ClassCastException (it treats the global thread as a stream thread)
    return global && response == StreamThreadExceptionResponse.REPLACE_THREAD
        ? StreamThreadExceptionResponse.SHUTDOWN_CLIENT
        : response;
  }

  private synchronized void replace(Client old) {
    try {
      old.close(CloseOptions.timeout(Duration.ofSeconds(30)));
      if (!closed) {
        guard.deleteCache();
        start();
      }
    } catch (Exception e) {
      log.error("could not start a new Kafka Streams client; stopping the gateway", e);
      failed = true;
      handler.handle(e);
      listener.onChange(KafkaStreams.State.ERROR, KafkaStreams.State.REBALANCING);
    }
  }

  private void warn(String reason, Throwable e) {
    log.warn(
        "the response cache's global store failed ({}: {}); starting a new Kafka Streams client"
            + " with it deleted, which rebuilds it from its topic",
        reason,
        rootMessage(e));
    metrics.stateRebuilt(StateGuard.CACHE_STORE, reason);
  }

  /**
   * Why {@link KafkaStreams#start()} failed, when a new client without the global store recovers
   * from it: a position out of range while bootstrapping, or (exactly-once) a store left open by a
   * crash, which Kafka Streams reports as a corrupted task without deleting it. Null otherwise.
   */
  static String startFailure(Throwable e) {
    if (causedBy(e, InvalidOffsetException.class)) {
      return GatewayMetrics.REBUILT_OFFSET_OUT_OF_RANGE;
    }
    if (causedBy(e, TaskCorruptedException.class)) {
      return GatewayMetrics.REBUILT_UNCLEAN_SHUTDOWN;
    }
    return null;
  }

  /**
   * Why a thread died while running, when a new client without the global store recovers from it:
   * the global consumer out of range, or a stream thread finding the cache store closed. The latter
   * follows a global thread that died while bootstrapping: in Kafka Streams 4.3.1 its cleanup then
   * throws (IllegalStateException "Expected cache to have been initialized"), so {@code start()}
   * returns as if it had worked, the client never reaches RUNNING, and the stream threads fail on
   * the closed store. Null otherwise.
   */
  static String runningFailure(Throwable e, boolean globalThread) {
    if (globalThread && causedBy(e, InvalidOffsetException.class)) {
      return GatewayMetrics.REBUILT_OFFSET_OUT_OF_RANGE;
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof InvalidStateStoreException
          && t.getMessage() != null
          && t.getMessage()
              .startsWith("Store " + StateGuard.CACHE_STORE + " is currently closed")) {
        return GatewayMetrics.REBUILT_GLOBAL_THREAD_DIED;
      }
    }
    return null;
  }

  /** Whether another restart fits in the budget; records it if so. */
  private boolean mayRestart() {
    synchronized (restarts) {
      return mayRestartLocked();
    }
  }

  private boolean mayRestartLocked() {
    long now = System.nanoTime();
    while (!restarts.isEmpty() && now - restarts.peekFirst() > WINDOW.toNanos()) {
      restarts.removeFirst();
    }
    if (restarts.size() >= MAX_RESTARTS) {
      log.error(
          "the global store failed {} times within {}: not restarting again", MAX_RESTARTS, WINDOW);
      return false;
    }
    restarts.addLast(now);
    return true;
  }

  /** The current client's state; {@code REBALANCING} while it is being replaced. */
  KafkaStreams.State state() {
    Client c = current;
    if (failed) {
      return KafkaStreams.State.ERROR;
    }
    return c.replaced.get() && !closed ? KafkaStreams.State.REBALANCING : c.streams.state();
  }

  <T> T store(StoreQueryParameters<T> parameters) {
    return current.streams.store(parameters);
  }

  void close(CloseOptions options) {
    closed = true;
    restarter.shutdown();
    synchronized (this) {
      current.close(options);
    }
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
