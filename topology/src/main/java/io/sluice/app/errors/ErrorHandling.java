package io.sluice.app.errors;

import io.sluice.metrics.GatewayMetrics;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Installs the exception handlers in Kafka Streams properties. Kafka Streams builds handlers from
 * class names, so what they need (the metrics, the dead-letter topic) travels in the properties
 * under {@link #CONTEXT} and reaches them in {@code configure}.
 */
public final class ErrorHandling {
  /** The properties key of the {@link Context} handed to the handlers. */
  static final String CONTEXT = "sluice.error.handling.context";

  /** What the handlers need. */
  record Context(GatewayMetrics metrics, String dlqTopic) {}

  private ErrorHandling() {}

  public static void install(Properties p, GatewayMetrics metrics, String dlqTopic) {
    p.put(CONTEXT, new Context(metrics, dlqTopic));
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProcessingHandler.class.getName());
    p.put(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        CountingProductionHandler.class.getName());
  }

  static Context context(Map<String, ?> configs) {
    Object c = configs.get(CONTEXT);
    if (!(c instanceof Context ctx)) {
      throw new IllegalStateException(
          CONTEXT + " is missing: install the handlers with ErrorHandling");
    }
    return ctx;
  }
}
