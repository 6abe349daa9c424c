package io.sluice.topology;

import io.sluice.bounds.RecordLimits;
import io.sluice.events.Request;
import io.sluice.schema.serde.AvroSize;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Ingest's size checks, made before anything is stored: a request whose {@code PendingRequest}
 * would not fit in a record is refused with {@code request_too_large}; a raw record too large to
 * hold while its schema is fetched, or to copy to the dead-letter topic whole, is dead-lettered
 * without its value (the original stays at its source offset, which the headers name).
 */
final class IngestBounds {
  /** A pending request's fields beside its request: timestamps, trace ids, counters. */
  static final long PENDING_OVERHEAD_BYTES = 2_048;

  /** The dead-letter headers ingest adds. */
  static final long DEAD_LETTER_HEADER_BYTES = 2_048;

  private final RecordLimits limits;

  IngestBounds(RecordLimits limits) {
    this.limits = limits;
  }

  RecordLimits limits() {
    return limits;
  }

  /** A refusal when {@code r}, held as a pending request, would pass the record limit. */
  Optional<RequestValidator.Rejection> tooLarge(Request r, Headers headers) {
    long bound =
        limits.valueBound(r.getRequestId())
            - PENDING_OVERHEAD_BYTES
            - headerBytes(headers)
            - AvroSize.utf8Length(r.getSessionId());
    long size = AvroSize.atMost(r, bound);
    if (size <= bound) {
      return Optional.empty();
    }
    return Optional.of(
        new RequestValidator.Rejection(
            "request_too_large",
            "the request is "
                + size
                + " bytes, over the limit of "
                + Math.max(0, bound)
                + " bytes for a request (kafka.max_record_bytes "
                + limits.maxRecordBytes()
                + " less room for its session, headers and state)"));
  }

  /** Whether {@code record} may be copied (parked, or dead-lettered) with its value. */
  boolean fitsWhole(Record<byte[], byte[]> record) {
    return rawBytes(record) + DEAD_LETTER_HEADER_BYTES <= limits.maxRecordBytes();
  }

  static long rawBytes(Record<byte[], byte[]> record) {
    return (record.key() == null ? 0 : record.key().length)
        + (record.value() == null ? 0 : record.value().length)
        + headerBytes(record.headers());
  }

  static long headerBytes(Headers headers) {
    long n = 0;
    for (Header h : headers) {
      n += h.key().length() + (h.value() == null ? 0 : h.value().length) + 8;
    }
    return n;
  }
}
