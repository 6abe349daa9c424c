package io.sluice.topology;

import io.sluice.events.ErrorInfo;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingest: reads the raw bytes of the requests topic, so that no record can stop the app. An
 * unreadable record becomes a dead letter with the contract's headers; a readable but invalid
 * request a REJECTED response; a valid one is keyed by its session_id.
 *
 * <p>A request written with a schema id this gateway has not fetched yet waits in the {@value
 * #AWAITING_SCHEMA} store, and so does every later record of its partition (order is kept), while
 * the registry is asked on its own I/O thread: the stream thread never waits on the registry. A
 * wall-clock punctuator releases them in order once it has answered; one it has no schema for is a
 * dead letter; while it cannot be reached, they stay (and survive a crash: the store is
 * changelogged) and the fetch is retried with a backoff.
 */
final class IngestSupplier implements ProcessorSupplier<byte[], byte[], String, IngestOutcome> {
  private static final Logger log = LoggerFactory.getLogger(IngestSupplier.class);

  static final String CODE = "sluice.error.code";
  static final String MESSAGE = "sluice.error.message";
  static final String STAGE = "sluice.error.stage";
  static final String SOURCE_TOPIC = "sluice.source.topic";
  static final String SOURCE_PARTITION = "sluice.source.partition";
  static final String SOURCE_OFFSET = "sluice.source.offset";
  static final String TIME = "sluice.error.time";

  /**
   * On a dead letter too large to copy whole: the original record's size in bytes (key, value and
   * headers). Its key, value and headers are left out; the source headers say where it is.
   */
  static final String VALUE_OMITTED = "sluice.error.omitted_bytes";

  /** Records waiting for a schema fetch, by arrival sequence number. */
  static final String AWAITING_SCHEMA = "ingest-awaiting-schema";

  /** How often held records are checked: the delay a schema fetch adds, at most, after it ends. */
  static final Duration CHECK_INTERVAL = Duration.ofMillis(50);

  private static final long FIRST_RETRY_MS = 1_000;
  private static final long MAX_RETRY_MS = 30_000;

  private final ConfluentAvroSerde<Request> requests;
  private final RequestValidator validator;
  private final IngestBounds bounds;
  private final GatewayMetrics metrics;
  private final ReplyTopics replyTopics;
  private final IngestKeys keys;
  private final IngestPii pii;

  IngestSupplier(
      ConfluentAvroSerde<Request> requests,
      RequestValidator validator,
      IngestBounds bounds,
      GatewayMetrics metrics,
      ReplyTopics replyTopics,
      KeySettings keys,
      IngestPii pii) {
    this.replyTopics = replyTopics;
    this.keys = new IngestKeys(keys);
    this.pii = pii;
    this.requests = requests;
    this.validator = validator;
    this.bounds = bounds;
    this.metrics = metrics;
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    return Set.of(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(AWAITING_SCHEMA), Serdes.Long(), ParkedRecord.serde()));
  }

  @Override
  public Processor<byte[], byte[], String, IngestOutcome> get() {
    return new IngestProcessor();
  }

  private final class IngestProcessor implements Processor<byte[], byte[], String, IngestOutcome> {
    private ProcessorContext<String, IngestOutcome> context;
    private KeyValueStore<Long, ParkedRecord> held;

    /**
     * The sequence numbers of the oldest held record and of the next one: held are [head, next).
     */
    private long head;

    private long next;

    /** The schema fetch for the oldest held record, or null when none is running. */
    private CompletableFuture<Void> fetch;

    private long retryAtMs;
    private long retryDelayMs = FIRST_RETRY_MS;

    @Override
    public void init(ProcessorContext<String, IngestOutcome> context) {
      this.context = context;
      this.held = context.getStateStore(AWAITING_SCHEMA);
      long first = -1;
      long last = -1;
      try (KeyValueIterator<Long, ParkedRecord> all = held.all()) {
        while (all.hasNext()) {
          long seq = all.next().key;
          first = first < 0 ? seq : Math.min(first, seq);
          last = Math.max(last, seq);
        }
      }
      head = first < 0 ? 0 : first;
      next = last + 1;
      if (next > head) {
        metrics.awaitingSchema(next - head);
        log.info(
            "task {}: {} request(s) restored that wait for their schema",
            context.taskId(),
            next - head);
      }
      context.schedule(CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::release);
    }

    /** {@code record} (the one being processed) with its position in its topic. */
    private ParkedRecord position(Record<byte[], byte[]> record) {
      var md = context.recordMetadata();
      return new ParkedRecord(
          md.map(RecordMetadata::topic).orElse("unknown"),
          md.map(RecordMetadata::partition).orElse(-1),
          md.map(RecordMetadata::offset).orElse(-1L),
          record.timestamp(),
          record.key(),
          record.value(),
          record.headers());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
      // first: a key in a header must not be held, dead-lettered or forwarded
      keys.screen(record.headers());
      if (next == head) {
        CompletableFuture<Void> ready = requests.prefetch(record.value());
        if (ready.isDone() && !ready.isCompletedExceptionally()) {
          handle(record, null);
          return;
        }
        if (!bounds.fitsWhole(record)) {
          // too large to hold, and so to be a request: its pending state would not fit either
          deadLetter(record, null, "request_too_large", tooLargeToRead(record));
          return;
        }
        fetch = ready;
      } else if (!bounds.fitsWhole(record)) {
        // the next in line would be held: refuse it now, its position is known
        deadLetter(record, null, "request_too_large", tooLargeToRead(record));
        return;
      }
      ParkedRecord in = position(record);
      if (next == head) {
        log.info(
            "{}-{}: schema id {} of the request at offset {} is new here; holding the partition's"
                + " requests until the schema registry answers",
            in.topic(),
            in.partition(),
            ConfluentAvroSerde.schemaId(record.value()),
            in.offset());
      }
      held.put(next++, in);
      metrics.awaitingSchema(1);
    }

    /** Hands on held records, oldest first, as far as their schemas are at hand. */
    private void release(long now) {
      while (head < next) {
        ParkedRecord r = held.get(head);
        if (r == null) { // not expected: the store holds every sequence number in [head, next)
          log.warn(
              "task {}: held request {} is missing from {}",
              context.taskId(),
              head,
              AWAITING_SCHEMA);
          head++;
          metrics.awaitingSchema(-1);
          continue;
        }
        if (fetch == null) {
          if (now < retryAtMs) {
            return;
          }
          fetch = requests.prefetch(r.value());
        }
        if (!fetch.isDone()) {
          return;
        }
        if (fetch.isCompletedExceptionally()) {
          String why = failure(fetch);
          log.warn(
              "{}-{}: the schema registry did not answer for the request at offset {} ({}); {}"
                  + " request(s) wait, asking again in {} ms",
              r.topic(),
              r.partition(),
              r.offset(),
              why,
              next - head,
              retryDelayMs);
          fetch = null;
          retryAtMs = now + retryDelayMs;
          retryDelayMs = Math.min(MAX_RETRY_MS, retryDelayMs * 2);
          return;
        }
        fetch = null;
        retryDelayMs = FIRST_RETRY_MS;
        held.delete(head++);
        metrics.awaitingSchema(-1);
        handle(new Record<>(r.key(), r.value(), r.timestamp(), r.headers()), r);
      }
    }

    @Override
    public void close() {
      if (next > head) {
        metrics.awaitingSchema(-(next - head));
      }
    }

    /**
     * Decodes, checks and hands on one record: the one being processed ({@code parked} null: its
     * position is the context's) or a held one.
     */
    private void handle(Record<byte[], byte[]> record, ParkedRecord parked) {
      String topic =
          parked != null
              ? parked.topic()
              : context.recordMetadata().map(RecordMetadata::topic).orElse("unknown");
      String keyVerdict = IngestKeys.verdict(record.headers());
      Request request;
      try {
        request = requests.deserialize(topic, record.value());
      } catch (SerializationException e) {
        deadLetter(record, parked, "deserialization", e.getMessage());
        return;
      }
      if (request == null) {
        deadLetter(
            record, parked, "empty_value", "the record has no value (a tombstone), not a Request");
        return;
      }
      var rejection = keys.admit(request, keyVerdict);
      if (rejection.isEmpty()) {
        rejection = validator.validate(request);
      }
      if (rejection.isEmpty()) {
        // masked before anything downstream sees it; blocked ones are refused like invalid ones
        IngestPii.Result guarded = pii.apply(request);
        request = guarded.request();
        rejection = guarded.rejection();
      }
      if (rejection.isEmpty()) {
        rejection = bounds.tooLarge(request, record.headers());
      }
      if (rejection.isPresent()) {
        long now = context.currentSystemTimeMs();
        // an overlong id is not echoed: it would be the response's key or bloat its value
        String session = echo(request.getSessionId());
        String model = echo(request.getModel());
        Response response =
            Response.newBuilder()
                .setRequestId(echo(request.getRequestId()))
                .setSessionId(session)
                .setTenantId(echo(request.getTenantId()))
                .setStatus(ResponseStatus.REJECTED)
                .setModel(model)
                .setToolCalls(List.of())
                .setUsage(new TokenUsage(0, 0, 0))
                .setError(
                    new ErrorInfo(
                        rejection.get().code(), rejection.get().message(), false, null, null))
                .setLatencyMs(
                    request.getCreatedAt() == null
                        ? 0
                        : Math.max(0, now - request.getCreatedAt().toEpochMilli()))
                .setTraceId(TraceIds.of(record.headers()).traceId())
                .setRespondedAt(now)
                .build();
        if (io.sluice.schema.serde.AvroSize.exceeds(
            response, bounds.limits().valueBound(session))) {
          // its ids alone are too large to answer with: only the dead-letter topic can take it
          deadLetter(record, parked, rejection.get().code(), rejection.get().message());
          return;
        }
        metrics.response(
            validator.modelTag(request), null, "REJECTED", false, response.getLatencyMs());
        context.forward(
            new Record<>(
                session,
                new IngestOutcome.Rejected(response, replyTopics.address(record.headers())),
                now));
        return;
      }
      String session = request.getSessionId();
      boolean direct =
          record.key() != null
              && Arrays.equals(record.key(), session.getBytes(StandardCharsets.UTF_8));
      context.forward(
          record.withKey(session).withValue(new IngestOutcome.Accepted(request, direct)));
    }

    private void deadLetter(
        Record<byte[], byte[]> record, ParkedRecord parked, String code, String message) {
      ParkedRecord source = parked != null ? parked : position(record);
      metrics.deadLetter(code);
      boolean whole = bounds.fitsWhole(record);
      Headers h =
          whole ? record.headers() : new org.apache.kafka.common.header.internals.RecordHeaders();
      if (!whole) {
        h.add(VALUE_OMITTED, bytes(String.valueOf(IngestBounds.rawBytes(record))));
      }
      long now = context.currentSystemTimeMs();
      h.add(CODE, bytes(code));
      h.add(MESSAGE, bytes(message == null ? code : message));
      h.add(STAGE, bytes("ingest"));
      h.add(SOURCE_TOPIC, bytes(source.topic()));
      h.add(SOURCE_PARTITION, bytes(String.valueOf(source.partition())));
      h.add(SOURCE_OFFSET, bytes(String.valueOf(source.offset())));
      h.add(TIME, bytes(String.valueOf(now)));
      context.forward(
          new Record<String, IngestOutcome>(
              null,
              whole
                  ? new IngestOutcome.DeadLetter(record.key(), record.value())
                  : new IngestOutcome.DeadLetter(null, null),
              record.timestamp(),
              h));
    }
  }

  /** Why a completed future failed (getNow never waits: the future is done). */
  private static String failure(CompletableFuture<?> done) {
    try {
      done.getNow(null);
      return "no failure";
    } catch (CompletionException | CancellationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
  }

  private String tooLargeToRead(Record<byte[], byte[]> record) {
    return "the record is "
        + IngestBounds.rawBytes(record)
        + " bytes (key, value and headers), over what a request may be (kafka.max_record_bytes "
        + bounds.limits().maxRecordBytes()
        + "); it is not read";
  }

  private static String echo(String id) {
    return RequestValidator.echoable(id) ? id : null;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
