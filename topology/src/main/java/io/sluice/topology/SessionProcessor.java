package io.sluice.topology;

import io.sluice.dispatch.Dispatcher;
import io.sluice.events.Response;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import io.sluice.metrics.GatewayMetrics;
import java.time.Duration;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session processor per task, keyed by session_id: the thin adapter between Kafka Streams and
 * the {@link SessionMachine}. It reads each record and hands it to the machine (or to {@link
 * Punctuations} on the wall clock), then carries out the {@link Decisions} that come back: it
 * forwards each record once it has passed {@link OutputBounds}, and puts and deletes in the {@code
 * pending} and {@code sessions} stores (and puts in {@code answered}, the idempotency window). It
 * is the only class that touches the {@link ProcessorContext} and the stores; the machine reads
 * them through {@link SessionStores}, which this class implements, and never writes them.
 *
 * <p>The data of a request flows one way: record → {@link SessionMachine} (queue, dispatch, {@link
 * ToolRound}, {@link ResponseCache}) → {@link Answers} → decisions → this class writes them.
 *
 * <p>State: the {@code pending} store is the durable truth of what is accepted and unanswered; the
 * {@code sessions} store holds conversation history, and only for sessions that use it. Each
 * session's queue and the heads being worked on are kept in memory ({@link SessionQueues}), rebuilt
 * from {@code pending} in {@code init}, so answering a request reads no store: a request that uses
 * no history costs one {@code pending} put when it is dispatched and one delete when it is
 * answered, nothing else; with an idempotency window, one {@code answered} lookup when it arrives
 * and one put when it is answered as well.
 *
 * <p>Threading: only the stream thread calls {@code init}, {@code process} and the punctuators;
 * every field, both stores and the context are confined to it. The dispatcher is handed immutable
 * jobs and never calls back: outcomes return through the completions topic.
 *
 * <p>After a restart, a rebalance or a dirty close under exactly-once, {@code init} starts from the
 * stores again: no call is known to be in flight, so every head is dispatched again on the first
 * tick. A repeated provider call can happen; a repeated answer cannot, because only the first
 * completion of a pending request is used.
 */
final class SessionProcessor
    implements Processor<String, SessionInput, String, SessionOutput>, SessionStores {
  private static final Logger log = LoggerFactory.getLogger(SessionProcessor.class);

  private final Dispatcher dispatcher;
  private final SessionSettings settings;
  private final CacheSettings cache;
  private final GatewayMetrics metrics;
  private final ToolSettings tools;
  private final OutputBounds bounds;
  private ProcessorContext<String, SessionOutput> context;
  private KeyValueStore<String, SessionState> sessions;
  private KeyValueStore<String, PendingRequest> pending;
  private KeyValueStore<String, Response> cacheStore;
  private WindowStore<String, Response> answered;
  private SessionMachine machine;
  private final ReplyTopics replyTopics;
  private Punctuations punctuations;

  SessionProcessor(
      Dispatcher dispatcher,
      SessionSettings settings,
      CacheSettings cache,
      ToolSettings tools,
      GatewayMetrics metrics,
      OutputBounds bounds) {
    this(dispatcher, settings, cache, tools, metrics, bounds, ReplyTopics.ANY);
  }

  SessionProcessor(
      Dispatcher dispatcher,
      SessionSettings settings,
      CacheSettings cache,
      ToolSettings tools,
      GatewayMetrics metrics,
      OutputBounds bounds,
      ReplyTopics replyTopics) {
    this.replyTopics = replyTopics;
    this.tools = tools;
    this.bounds = bounds;
    this.cache = cache;
    this.metrics = metrics;
    this.dispatcher = dispatcher;
    this.settings = settings;
  }

  /**
   * Starts from the stores. A processor is initialized again, without being built again, when its
   * task is revived after a dirty close, so the machine is built afresh each time.
   */
  @Override
  public void init(ProcessorContext<String, SessionOutput> context) {
    this.context = context;
    this.sessions = context.getStateStore(SessionProcessorSupplier.SESSIONS);
    this.pending = context.getStateStore(SessionProcessorSupplier.PENDING);
    int partition = context.taskId().partition();
    if (cache.enabled()) {
      this.cacheStore = context.getStateStore(CacheStoreUpdater.STORE);
    }
    if (settings.idempotent()) {
      this.answered = context.getStateStore(SessionProcessorSupplier.ANSWERED);
    }
    machine =
        new SessionMachine(
            dispatcher,
            settings,
            cache,
            tools,
            metrics,
            bounds,
            partition,
            this,
            context::currentSystemTimeMs);
    int waiting = rebuildFromStores();
    if (waiting > 0) {
      log.info(
          "task {}: {} session(s) with pending requests to dispatch again",
          context.taskId(),
          waiting);
    }
    punctuations = new Punctuations(machine, settings, String.valueOf(context.taskId()));
    context.schedule(
        settings.tick(),
        PunctuationType.WALL_CLOCK_TIME,
        now -> carryOut(punctuations.tick(now), now));
    context.schedule(
        Duration.ofSeconds(1),
        PunctuationType.WALL_CLOCK_TIME,
        now -> carryOut(punctuations.idleSessions(sessions, now), now));
    if (cache.enabled() && partition == 0) {
      // one task deletes expired cache entries for all: the global store is the same everywhere
      context.schedule(
          Duration.ofSeconds(1),
          PunctuationType.WALL_CLOCK_TIME,
          now -> carryOut(punctuations.expiredCacheEntries(cacheStore, now), now));
    }
  }

  /** Reads both stores into the machine; returns how many sessions wait for a dispatch. */
  private int rebuildFromStores() {
    SessionQueues.Restore restore = machine.restore();
    try (KeyValueIterator<String, PendingRequest> it = pending.all()) {
      while (it.hasNext()) {
        KeyValue<String, PendingRequest> kv = it.next();
        restore.pending(kv.key, kv.value);
      }
    }
    try (KeyValueIterator<String, SessionState> it = sessions.all()) {
      while (it.hasNext()) {
        KeyValue<String, SessionState> kv = it.next();
        restore.session(kv.key, kv.value);
      }
    }
    return restore.done();
  }

  @Override
  public void process(Record<String, SessionInput> record) {
    long now = context.currentSystemTimeMs();
    if (record.value() instanceof SessionInput.RequestIn in) {
      TraceIds.Context trace = TraceIds.of(record.headers());
      ReplyAddress reply = replyTopics.address(record.headers());
      carryOut(machine.onRequest(in.request(), record.timestamp(), trace, reply, now), now);
    } else if (record.value() instanceof SessionInput.CompletionIn in) {
      String sharedCallOf = SharedCalls.sharedCallOf(record.headers());
      carryOut(machine.onCompletion(in.completion(), sharedCallOf, now), now);
    } else if (record.value() instanceof SessionInput.ToolResultIn in) {
      carryOut(machine.onToolResult(in.result(), now), now);
    }
  }

  /** Carries out what an event decided, in order: the only writes of this task. */
  private void carryOut(Decisions decisions, long now) {
    for (Decisions.Decision x : decisions.all()) {
      if (x instanceof Decisions.Emit e) {
        SessionOutput checked = bounds.check(e.key(), e.out());
        if (checked != null) {
          context.forward(new Record<>(e.key(), checked, now));
        }
      } else if (x instanceof Decisions.PutPending put) {
        pending.put(put.requestId(), put.pending());
      } else if (x instanceof Decisions.DeletePending delete) {
        pending.delete(delete.requestId());
      } else if (x instanceof Decisions.PutSession put) {
        sessions.put(put.sessionId(), put.session());
      } else if (x instanceof Decisions.DeleteSession delete) {
        sessions.delete(delete.sessionId());
      } else if (x instanceof Decisions.PutAnswered put) {
        answered.put(put.requestId(), put.response(), put.atMs());
      }
    }
  }

  @Override
  public PendingRequest pending(String requestId) {
    return pending.get(requestId);
  }

  @Override
  public SessionState session(String sessionId) {
    return sessions.get(sessionId);
  }

  @Override
  public Response cached(String key) {
    return cacheStore.get(key);
  }

  /** The earliest answer in the window: the first one (a replay is never stored). */
  @Override
  public Response answered(String requestId, long sinceMs) {
    if (answered == null) {
      return null;
    }
    try (WindowStoreIterator<Response> it = answered.fetch(requestId, sinceMs, Long.MAX_VALUE)) {
      return it.hasNext() ? it.next().value : null;
    }
  }
}
