package io.sluice.app.errors;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record that a processor failed on (a bug, or data no check foresaw) goes to the dead-letter
 * topic with the contract's headers, and processing goes on: one record never stops the gateway.
 * Its source record is copied when it is small enough; the source headers always say where it is. A
 * request whose record failed this way and that was already pending is answered by its deadline
 * with {@code timeout}.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

  /** A source record larger than this is dead-lettered without its key and value. */
  static final int MAX_COPIED_BYTES = 512 * 1024;

  private ErrorHandling.Context context;

  @Override
  public void configure(Map<String, ?> configs) {
    context = ErrorHandling.context(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext ctx, Record<?, ?> record, Exception e) {
    log.error(
        "processor {} failed on the record at {}-{} offset {}; it goes to {} and processing goes"
            + " on",
        ctx.processorNodeId(),
        ctx.topic(),
        ctx.partition(),
        ctx.offset(),
        context.dlqTopic(),
        e);
    context.metrics().processingFailure(ctx.processorNodeId());
    return Response.resume(List.of(deadLetter(ctx, e, context.dlqTopic())));
  }

  static ProducerRecord<byte[], byte[]> deadLetter(
      ErrorHandlerContext ctx, Exception e, String topic) {
    byte[] key = ctx.sourceRawKey();
    byte[] value = ctx.sourceRawValue();
    RecordHeaders h = new RecordHeaders();
    long size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    if (size > MAX_COPIED_BYTES) {
      h.add("sluice.error.omitted_bytes", bytes(String.valueOf(size)));
      key = null;
      value = null;
    }
    String message = String.valueOf(e.getMessage());
    h.add("sluice.error.code", bytes("processing_failed"));
    h.add(
        "sluice.error.message",
        bytes(
            e.getClass().getName()
                + ": "
                + (message.length() > 2000 ? message.substring(0, 2000) : message)));
    h.add("sluice.error.stage", bytes(ctx.processorNodeId()));
    h.add("sluice.source.topic", bytes(ctx.topic()));
    h.add("sluice.source.partition", bytes(String.valueOf(ctx.partition())));
    h.add("sluice.source.offset", bytes(String.valueOf(ctx.offset())));
    h.add("sluice.error.time", bytes(String.valueOf(System.currentTimeMillis())));
    return new ProducerRecord<>(topic, null, key, value, h);
  }

  private static byte[] bytes(String s) {
    return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
  }
}
