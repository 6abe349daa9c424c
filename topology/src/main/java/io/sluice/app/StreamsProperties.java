package io.sluice.app;

import io.sluice.bounds.KafkaLimits;
import io.sluice.bounds.RecordLimits;
import io.sluice.config.KafkaProfile;
import io.sluice.config.SluiceConfig;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * Kafka Streams settings from the config. Latency knobs: the producer's {@code linger.ms} (Streams
 * would set 100), {@code commit.interval.ms} (under exactly-once, each output waits for the commit
 * that makes it visible) and the consumers' fetch wait, all from {@code kafka.profile} unless the
 * user sets them ({@link KafkaProfile}).
 */
final class StreamsProperties {
  static final String GLOBAL_FETCH_MIN_BYTES = "65536";
  static final String GLOBAL_FETCH_MAX_WAIT_MS = "100";
  static final String PROBING_REBALANCE_INTERVAL_MS = "60000";

  private StreamsProperties() {}

  static Properties of(SluiceConfig config) {
    SluiceConfig.KafkaSection k = config.kafka();
    KafkaProfile profile = KafkaProfile.of(k.profile());
    Properties p = new Properties();
    k.properties().forEach(p::setProperty);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, k.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, k.processingGuarantee());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(k.commitIntervalMs()));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(k.numStreamThreads()));
    if (k.stateDir() != null) {
      // unset: the caller resolves the default, which depends on the cluster (StateLocation)
      p.put(StreamsConfig.STATE_DIR_CONFIG, k.stateDir());
    }
    p.put(StreamsConfig.POLL_MS_CONFIG, "20");
    if (k.instanceId() != null && !k.instanceId().isBlank()) {
      // static membership: a restarted instance takes its partitions back at once instead of
      // waiting for the old member's session to time out
      p.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), k.instanceId());
    }
    p.put("processing.exception.handler.global.enabled", "true");
    // and for the partition assignor, which builds its own StreamsConfig from the main consumer's
    // configs: without the flag there it warns at every start that the handler is not enabled
    p.put(StreamsConfig.mainConsumerPrefix("processing.exception.handler.global.enabled"), "true");
    p.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, "-1");
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
        String.valueOf(k.lingerMs()));
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // A task reads requests, completions and tool results, and nothing in the session processor
    // depends on their relative timestamps. Not waiting for empty partitions also skips the
    // per-record lag check that formats a log message for each of them (String.format on the
    // stream thread at every process call, found in the profile).
    p.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
    // A new instance gets a stateful task only once its warm-up replica has caught up, checked by
    // a probing rebalance that Kafka Streams schedules only while warm-ups exist: every 10 min by
    // default, so a scaled-out gateway carried almost no load for minutes (docs/BENCHMARKS.md,
    // Scale-out). One minute costs nothing once the assignment is balanced.
    p.putIfAbsent(
        StreamsConfig.PROBING_REBALANCE_INTERVAL_MS_CONFIG, PROBING_REBALANCE_INTERVAL_MS);
    // Fetch in batches (balanced): with fetch.min.bytes 1 every consumer fetches again as soon as
    // one record is there, and on a loaded broker that is thousands of tiny fetches a second.
    // Waiting up to 5 ms for 4 KiB costs each hop at most 5 ms, small beside a provider call, and
    // measurably less CPU for the broker and the gateway (docs/BENCHMARKS.md). low_latency fetches
    // at the first byte. Overridable in properties (plain or with the consumer. prefix).
    p.putIfAbsent(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, profile.fetchMinBytes());
    p.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, profile.fetchMaxWaitMs());
    // e.g. batch.size under throughput, unless set plain or with the producer. prefix
    profile
        .streamsProducer()
        .forEach(
            (key, value) -> {
              if (!p.containsKey(key)) {
                p.putIfAbsent(StreamsConfig.producerPrefix(key), value);
              }
            });
    // The global consumer only fills the response cache, with one entry per answer: fetching it
    // every few milliseconds was the broker's busiest client after the gateway's producer. An
    // entry that becomes visible up to 100 ms later costs at most a provider call for a repeat
    // sent within those 100 ms.
    p.putIfAbsent(
        StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG),
        GLOBAL_FETCH_MIN_BYTES);
    p.putIfAbsent(
        StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
        GLOBAL_FETCH_MAX_WAIT_MS);
    // Requests are read as bytes and dead-lettered by ingest; only the internal completions
    // topic is decoded by a source serde, and a corrupt completion is logged and skipped (the
    // request is dispatched again when no completion arrives).
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    KafkaLimits.applyToStreams(p, RecordLimits.from(config));
    return p;
  }
}
