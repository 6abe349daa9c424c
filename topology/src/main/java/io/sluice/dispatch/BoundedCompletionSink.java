package io.sluice.dispatch;

import io.sluice.bounds.BoundErrors;
import io.sluice.bounds.RecordLimits;
import io.sluice.internal.Completion;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.schema.serde.AvroSize;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every completion under the record limit before it is published: an answer too large to
 * write becomes a failed completion with code {@code response_too_large} that keeps its attempts,
 * usage and cost, so the request is answered with an error instead of being refused by the producer
 * and dispatched again and again until its deadline.
 */
public final class BoundedCompletionSink implements CompletionSink {
  private static final Logger log = LoggerFactory.getLogger(BoundedCompletionSink.class);

  private final CompletionSink sink;
  private final RecordLimits limits;
  private final GatewayMetrics metrics;

  public BoundedCompletionSink(CompletionSink sink, RecordLimits limits, GatewayMetrics metrics) {
    this.sink = sink;
    this.limits = limits;
    this.metrics = metrics;
  }

  @Override
  public void publish(int partition, Completion completion) {
    sink.publish(partition, bounded(completion));
  }

  @Override
  public void publishShared(int partition, Completion completion, String sharedCallOf) {
    sink.publishShared(partition, bounded(completion), sharedCallOf);
  }

  Completion bounded(Completion c) {
    long bound = limits.valueBound(c.getSessionId());
    if (!AvroSize.exceeds(c, bound)) {
      return c;
    }
    long size = AvroSize.exact(c);
    log.warn(
        "the answer to {} is {} bytes, over the {}-byte record limit; answered with"
            + " response_too_large",
        c.getRequestId().length() > 80 ? c.getRequestId().substring(0, 80) : c.getRequestId(),
        size,
        bound);
    metrics.recordBounded("Completion", "replaced");
    return Completion.newBuilder(c)
        .setOk(false)
        .setContent(null)
        .setToolCalls(List.of())
        .setError(BoundErrors.responseTooLarge(size, bound))
        .build();
  }

  @Override
  public void close() {
    sink.close();
  }
}
