package io.sluice.dispatch;

import io.sluice.events.ResponseChunk;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.schema.ReplyHeaders;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code ResponseChunk}s to reply topics with a plain idempotent producer (outside the
 * stream's transactions), keyed by session id, with header {@code sluice.reply.kind: chunk}.
 *
 * <p>{@link #send} runs on the provider client's I/O threads (a Netty event loop serves every call
 * in flight), so it never waits: {@code max.block.ms} is 0. A chunk the producer cannot take at
 * once is dropped and counted ({@code sluice_chunks_dropped_total}): its buffer ({@code
 * buffer.memory}, bounded) is full, or the reply topic is one whose partitions the producer does
 * not know yet (the topics named at start-up are looked up then; for any other, the first send asks
 * for its metadata and the next ones succeed). A dropped chunk loses nothing: the final Response
 * carries the whole answer, and a reader completes its stream from it.
 */
public final class KafkaChunkSink implements ChunkSink {
  private static final Logger log = LoggerFactory.getLogger(KafkaChunkSink.class);
  private static final byte[] KIND = ReplyHeaders.bytes(ReplyHeaders.KIND_CHUNK);

  private static final java.time.Duration METADATA_WAIT = java.time.Duration.ofSeconds(10);

  private final KafkaProducer<String, ResponseChunk> producer;
  private final GatewayMetrics metrics;

  /**
   * @param lingerMs how long the producer waits to batch chunks (small: each chunk is latency)
   * @param bufferBytes the producer's buffer; a chunk that does not fit is dropped
   * @param known reply topics whose partitions are looked up now, at start-up
   */
  public KafkaChunkSink(
      Properties base,
      Serializer<ResponseChunk> serializer,
      int lingerMs,
      long bufferBytes,
      List<String> known,
      GatewayMetrics metrics) {
    Properties p = new Properties();
    p.putAll(base);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(bufferBytes));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "0");
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "sluice-chunks");
    // as for completions: keep the known partitions through a broker outage rather than forget
    // them and fail every send until the metadata is back
    p.putIfAbsent(CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG, "none");
    // a reply topic idle for the default 5 minutes would be forgotten, and its next chunks dropped
    p.putIfAbsent(ProducerConfig.METADATA_MAX_IDLE_CONFIG, String.valueOf(24 * 3600 * 1000));
    this.producer = new KafkaProducer<>(p, new StringSerializer(), serializer);
    this.metrics = metrics;
    for (String topic : known) {
      awaitMetadata(topic);
    }
  }

  /**
   * Start-up I/O, so that the first chunks to {@code topic} are not dropped. With {@code
   * max.block.ms} 0, {@code partitionsFor} asks for the metadata and fails at once while it has
   * none, hence the polling.
   */
  private void awaitMetadata(String topic) {
    long deadline = System.nanoTime() + METADATA_WAIT.toNanos();
    while (true) {
      try {
        producer.partitionsFor(topic);
        return;
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        if (System.nanoTime() > deadline) {
          log.warn("no metadata for reply topic {} yet: its first chunks may be dropped", topic);
          return;
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public void send(String topic, Integer partition, ResponseChunk chunk) {
    ProducerRecord<String, ResponseChunk> record =
        new ProducerRecord<>(topic, partition, chunk.getSessionId(), chunk);
    record.headers().add(new RecordHeader(ReplyHeaders.KIND, KIND));
    try {
      producer.send(
          record,
          (md, e) -> {
            if (e != null) {
              dropped(topic, chunk, e);
            }
          });
    } catch (RuntimeException e) {
      dropped(topic, chunk, e);
    }
  }

  private void dropped(String topic, ResponseChunk chunk, Exception e) {
    metrics.chunkDropped(topic);
    log.debug(
        "chunk {} of {} not written to {}: {}",
        chunk.getIndex(),
        chunk.getRequestId(),
        topic,
        e.toString());
  }

  @Override
  public void close() {
    producer.close();
  }
}
