package io.sluice.app.errors;

import io.sluice.metrics.GatewayMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a stream thread that died. It is replaced, and counted ({@code
 * sluice_stream_threads_replaced_total}, alert {@code SluiceStreamThreadReplaced}): its tasks move
 * to the new thread and start again from their last commit, so nothing accepted is lost. The
 * gateway stops only on what a new thread cannot survive, and says why: a fenced instance (another
 * instance took over its id), credentials or permissions the broker refuses, a source topic that is
 * gone, a broker too old, an {@link Error}, a failure of the global thread (which Kafka Streams
 * cannot replace), or more than {@link #MAX_REPLACEMENTS} replacements within {@link #WINDOW} (a
 * thread that dies again at once on the same input).
 */
public final class ThreadFailurePolicy implements StreamsUncaughtExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(ThreadFailurePolicy.class);

  static final int MAX_REPLACEMENTS = 10;
  static final Duration WINDOW = Duration.ofMinutes(5);

  private final GatewayMetrics metrics;
  private final Clock clock;
  private final Consumer<Throwable> onFatal;
  private final ArrayDeque<Long> replacements = new ArrayDeque<>();

  /**
   * @param onFatal told the reason before the client shuts down
   */
  public ThreadFailurePolicy(GatewayMetrics metrics, Clock clock, Consumer<Throwable> onFatal) {
    this.metrics = metrics;
    this.clock = clock;
    this.onFatal = onFatal;
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable e) {
    String fatal = fatalReason(e);
    if (fatal == null && Thread.currentThread().getName().endsWith("-GlobalStreamThread")) {
      // Kafka Streams cannot replace its global thread; the failures it can survive there are
      // rebuilt before they reach this handler (RestartableStreams)
      fatal = "the global thread (the response cache's store) failed: " + e;
    }
    long now = clock.millis();
    while (!replacements.isEmpty() && now - replacements.peekFirst() > WINDOW.toMillis()) {
      replacements.pollFirst();
    }
    if (fatal == null && replacements.size() >= MAX_REPLACEMENTS) {
      fatal =
          "stream threads died "
              + replacements.size()
              + " times within "
              + WINDOW.toMinutes()
              + " minutes: the same input fails again on every new thread";
    }
    if (fatal != null) {
      log.error("stopping the gateway: {}", fatal, e);
      onFatal.accept(new IllegalStateException(fatal, e));
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    replacements.addLast(now);
    metrics.streamThreadReplaced();
    log.error(
        "a stream thread died and is replaced; its tasks start again from their last commit (see"
            + " the runbook, \"a stream thread was replaced\")",
        e);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** Why {@code e} cannot be survived by a new thread, or null if it can. */
  static String fatalReason(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof FencedInstanceIdException || c instanceof ProducerFencedException) {
        return "this instance was fenced: another instance runs with the same kafka.instance_id"
            + " or transactional id ("
            + c.getMessage()
            + ")";
      }
      if (c instanceof AuthenticationException || c instanceof AuthorizationException) {
        return "the broker refuses this gateway's credentials or permissions ("
            + c.getMessage()
            + ")";
      }
      if (c instanceof MissingSourceTopicException) {
        return "a topic the gateway reads is missing (" + c.getMessage() + ")";
      }
      if (c instanceof UnsupportedVersionException) {
        return "the broker does not support what the gateway needs (" + c.getMessage() + ")";
      }
      if (c instanceof Error) {
        return "the JVM failed: " + c;
      }
    }
    return null;
  }
}
