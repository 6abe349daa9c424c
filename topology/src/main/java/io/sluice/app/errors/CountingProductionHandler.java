package io.sluice.app.errors;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record the producer or the broker refused. Every record Sluice writes is bounded below the
 * producer's limit before it is written, so this is the last line: a topic whose limit was lowered
 * by hand, a serializer failure. The record is counted ({@code sluice_records_refused_total}) and
 * logged with its topic and size, never its content; retriable errors are retried, and anything
 * else is left out so that the stream thread goes on. Under exactly-once the producer then aborts
 * the transaction: nothing of it becomes visible to read_committed consumers and its input is
 * processed again, so a refusal that lasts (a topic limit too low) holds the partition back,
 * without a dead thread, until it is fixed.
 */
public final class CountingProductionHandler implements ProductionExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(CountingProductionHandler.class);

  private ErrorHandling.Context context;

  @Override
  public void configure(Map<String, ?> configs) {
    context = ErrorHandling.context(configs);
  }

  @Override
  public Response handleError(
      ErrorHandlerContext ctx, ProducerRecord<byte[], byte[]> record, Exception e) {
    if (e instanceof RetriableException) {
      return Response.retry();
    }
    refused(record, e, "produce");
    return Response.resume();
  }

  @Override
  @SuppressWarnings("rawtypes") // the interface's own signature
  public Response handleSerializationError(
      ErrorHandlerContext ctx,
      ProducerRecord record,
      Exception e,
      SerializationExceptionOrigin origin) {
    refused(record, e, "serialize");
    return Response.resume();
  }

  private void refused(ProducerRecord<?, ?> record, Exception e, String stage) {
    int size = record.value() instanceof byte[] b ? b.length : -1;
    log.error(
        "a record for {} ({} bytes) was refused at {}: {}; it is left out (see the runbook,"
            + " \"a record was refused\")",
        record.topic(),
        size,
        stage,
        e.toString());
    context.metrics().recordRefused(record.topic(), e.getClass().getSimpleName());
  }
}
