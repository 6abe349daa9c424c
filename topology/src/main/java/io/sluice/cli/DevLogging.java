package io.sluice.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The log levels of {@code sluice dev}: the embedded broker and the Kafka, Netty, okhttp and
 * RabbitMQ clients log at ERROR only, since their warnings on a single local broker are noise a
 * user can do nothing about (a retried {@code CONCURRENT_TRANSACTIONS} between two commits, the
 * broker's own auto-creation of an internal topic racing with itself, kafka-clients 4.0 to 4.3
 * warning at every start of the global store's consumer that an end offset arrived for a partition
 * it does not hold, KAFKA-20449). Sluice's own loggers keep their level, so its warnings still
 * show; so does Kafka Streams' warning about a state directory under the OS temp directory, which a
 * user can act on.
 *
 * <p>Only for {@code sluice dev}; {@code KAFKA_LOG_LEVEL} set in the environment leaves every level
 * as {@code logback.xml} has it. {@link #close} restores the levels it changed.
 */
final class DevLogging implements AutoCloseable {
  private static final List<String> QUIET =
      List.of(
          Logger.ROOT_LOGGER_NAME,
          "org.apache.kafka",
          "kafka",
          "io.netty",
          "okhttp3",
          "com.rabbitmq");
  private static final String STATE_DIRECTORY =
      "org.apache.kafka.streams.processor.internals.StateDirectory";

  private final Map<Logger, Level> before = new LinkedHashMap<>();

  private DevLogging() {}

  /** Quiets the third-party loggers, unless {@code KAFKA_LOG_LEVEL} asks for its own level. */
  static DevLogging quiet() {
    DevLogging d = new DevLogging();
    String asked = System.getenv("KAFKA_LOG_LEVEL");
    if ((asked == null || asked.isBlank())
        && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      QUIET.forEach(name -> d.set(context.getLogger(name), Level.ERROR));
      d.set(context.getLogger(STATE_DIRECTORY), Level.WARN);
    }
    return d;
  }

  private void set(Logger logger, Level level) {
    before.putIfAbsent(logger, logger.getLevel()); // null: the logger inherits its level
    logger.setLevel(level);
  }

  @Override
  public void close() {
    before.forEach(Logger::setLevel);
  }
}
