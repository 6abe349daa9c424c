package io.sluice.app;

import io.sluice.config.SluiceConfig;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * Kafka Streams settings from the config. Latency knobs: the producer's {@code linger.ms} (Streams
 * would set 100) and {@code commit.interval.ms} (under exactly-once, each output waits for the
 * commit that makes it visible).
 */
final class StreamsProperties {
  private StreamsProperties() {}

  static Properties of(SluiceConfig config) {
    SluiceConfig.KafkaSection k = config.kafka();
    Properties p = new Properties();
    k.properties().forEach(p::setProperty);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, k.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, k.processingGuarantee());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(k.commitIntervalMs()));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(k.numStreamThreads()));
    p.put(StreamsConfig.STATE_DIR_CONFIG, k.stateDir());
    p.put(StreamsConfig.POLL_MS_CONFIG, "20");
    if (k.instanceId() != null && !k.instanceId().isBlank()) {
      // static membership: a restarted instance takes its partitions back at once instead of
      // waiting for the old member's session to time out
      p.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), k.instanceId());
    }
    p.put("processing.exception.handler.global.enabled", "true");
    p.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, "-1");
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
        String.valueOf(k.lingerMs()));
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // Requests are read as bytes and dead-lettered by ingest; only the internal completions
    // topic is decoded by a source serde, and a corrupt completion is logged and skipped (the
    // request is dispatched again when no completion arrives).
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    return p;
  }
}
