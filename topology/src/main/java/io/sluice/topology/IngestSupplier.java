package io.sluice.topology;

import io.sluice.events.ErrorInfo;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import io.sluice.metrics.GatewayMetrics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Ingest: reads the raw bytes of the requests topic, so that no record can stop the app. An
 * unreadable record becomes a dead letter with the contract's headers; a readable but invalid
 * request a REJECTED response; a valid one is keyed by its session_id.
 */
final class IngestSupplier implements ProcessorSupplier<byte[], byte[], String, IngestOutcome> {
  static final String CODE = "sluice.error.code";
  static final String MESSAGE = "sluice.error.message";
  static final String STAGE = "sluice.error.stage";
  static final String SOURCE_TOPIC = "sluice.source.topic";
  static final String SOURCE_PARTITION = "sluice.source.partition";
  static final String SOURCE_OFFSET = "sluice.source.offset";
  static final String TIME = "sluice.error.time";

  private final Deserializer<Request> requests;
  private final RequestValidator validator;
  private final GatewayMetrics metrics;

  IngestSupplier(
      Deserializer<Request> requests, RequestValidator validator, GatewayMetrics metrics) {
    this.requests = requests;
    this.validator = validator;
    this.metrics = metrics;
  }

  @Override
  public Processor<byte[], byte[], String, IngestOutcome> get() {
    return new IngestProcessor();
  }

  private final class IngestProcessor implements Processor<byte[], byte[], String, IngestOutcome> {
    private ProcessorContext<String, IngestOutcome> context;

    @Override
    public void init(ProcessorContext<String, IngestOutcome> context) {
      this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
      String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("unknown");
      Request request;
      try {
        request = requests.deserialize(topic, record.value());
      } catch (SerializationException e) {
        deadLetter(record, "deserialization", e.getMessage());
        return;
      }
      if (request == null) {
        deadLetter(record, "empty_value", "the record has no value (a tombstone), not a Request");
        return;
      }
      var rejection = validator.validate(request);
      if (rejection.isPresent()) {
        long now = context.currentSystemTimeMs();
        Response response =
            Response.newBuilder()
                .setRequestId(request.getRequestId())
                .setSessionId(request.getSessionId())
                .setTenantId(request.getTenantId())
                .setStatus(ResponseStatus.REJECTED)
                .setModel(request.getModel())
                .setToolCalls(List.of())
                .setUsage(new TokenUsage(0, 0, 0))
                .setError(
                    new ErrorInfo(rejection.get().code(), rejection.get().message(), false, null))
                .setLatencyMs(
                    request.getCreatedAt() == null
                        ? 0
                        : Math.max(0, now - request.getCreatedAt().toEpochMilli()))
                .setTraceId(TraceIds.of(record.headers()).traceId())
                .setRespondedAt(now)
                .build();
        metrics.response(request.getModel(), null, "REJECTED", false, response.getLatencyMs());
        context.forward(
            new Record<>(request.getSessionId(), new IngestOutcome.Rejected(response), now));
        return;
      }
      String session = request.getSessionId();
      boolean direct =
          record.key() != null
              && Arrays.equals(record.key(), session.getBytes(StandardCharsets.UTF_8));
      context.forward(
          record.withKey(session).withValue(new IngestOutcome.Accepted(request, direct)));
    }

    private void deadLetter(Record<byte[], byte[]> record, String code, String message) {
      metrics.deadLetter(code);
      Headers h = record.headers();
      long now = context.currentSystemTimeMs();
      var md = context.recordMetadata();
      h.add(CODE, bytes(code));
      h.add(MESSAGE, bytes(message == null ? code : message));
      h.add(STAGE, bytes("ingest"));
      h.add(SOURCE_TOPIC, bytes(md.map(RecordMetadata::topic).orElse("")));
      h.add(SOURCE_PARTITION, bytes(String.valueOf(md.map(RecordMetadata::partition).orElse(-1))));
      h.add(SOURCE_OFFSET, bytes(String.valueOf(md.map(RecordMetadata::offset).orElse(-1L))));
      h.add(TIME, bytes(String.valueOf(now)));
      context.forward(
          new Record<String, IngestOutcome>(
              null,
              new IngestOutcome.DeadLetter(record.key(), record.value()),
              record.timestamp(),
              h));
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
