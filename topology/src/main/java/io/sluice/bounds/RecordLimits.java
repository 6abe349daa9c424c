package io.sluice.bounds;

import io.sluice.config.SluiceConfig;

/**
 * The size bounds of what Sluice writes, so that no record can be refused by the producer or the
 * broker: a refused record kills the stream thread, and under exactly-once the same input kills it
 * again after every restart.
 *
 * @param maxRecordBytes the largest record (key and value, Confluent-framed Avro) written to any
 *     topic or store ({@code kafka.max_record_bytes})
 * @param maxHistoryBytes a session's stored history at most ({@code sessions.max_history_bytes})
 * @param maxCacheEntryBytes a response larger than this is not cached ({@code
 *     cache.max_entry_bytes})
 */
public record RecordLimits(long maxRecordBytes, long maxHistoryBytes, long maxCacheEntryBytes) {
  /** Kept free beside a session's history for the session record's other fields. */
  public static final long SESSION_HEADROOM_BYTES = 16_384;

  /**
   * What the producer's {@code max.request.size} must allow beyond {@link #maxRecordBytes}: record
   * headers (trace context, dead-letter headers) and the record and batch overhead.
   */
  public static final long PRODUCER_HEADROOM_BYTES = 48_576;

  /** The defaults: every record fits Kafka's default limits. */
  public static final RecordLimits DEFAULTS =
      new RecordLimits(SluiceConfig.KafkaSection.DEFAULT_MAX_RECORD_BYTES, 500_000, 262_144);

  public static RecordLimits from(SluiceConfig config) {
    return new RecordLimits(
        config.kafka().maxRecordBytes(),
        config.sessions().maxHistoryBytes(),
        config.cache().maxEntryBytes());
  }

  /** The producer's {@code max.request.size} these limits need. */
  public long producerMaxRequestSize() {
    return maxRecordBytes + PRODUCER_HEADROOM_BYTES;
  }

  /** The bound of a record's value whose key is {@code key}. */
  public long valueBound(String key) {
    return maxRecordBytes - (key == null ? 0 : io.sluice.schema.serde.AvroSize.utf8Length(key));
  }
}
