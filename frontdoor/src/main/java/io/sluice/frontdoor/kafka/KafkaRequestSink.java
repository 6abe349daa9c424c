package io.sluice.frontdoor.kafka;

import io.sluice.events.Request;
import io.sluice.schema.ReplyHeaders;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One idempotent producer (acks all, a small linger) of every request of this instance. {@code
 * KafkaProducer.send} can block (metadata, a full buffer) so it runs on one thread of its own,
 * never on an event loop; the schema is registered at start-up, so serializing asks no registry.
 */
public final class KafkaRequestSink implements RequestSink {
  private final KafkaProducer<String, byte[]> producer;
  private final ConfluentAvroSerde<Request> serde;
  private final String topic;
  private final byte[] replyTopic;
  private final byte[] replyPartition;
  private final long maxRecordBytes;
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-front-door-producer");
            t.setDaemon(true);
            return t;
          });

  public KafkaRequestSink(
      Properties kafka,
      SchemaRegistry registry,
      String topic,
      String replyTopic,
      int replyPartition,
      long maxRecordBytes) {
    Properties p = new Properties();
    p.putAll(kafka);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "2");
    p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
    p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(maxRecordBytes + 65_536));
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "sluice-front-door");
    this.serde = ConfluentAvroSerde.forValues(Request.class, registry);
    serde.register(topic);
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.topic = topic;
    this.replyTopic = ReplyHeaders.bytes(replyTopic);
    this.replyPartition = ReplyHeaders.bytes(String.valueOf(replyPartition));
    this.maxRecordBytes = maxRecordBytes;
  }

  /** Fetches the requests topic's metadata, so the first call does not wait for it. */
  public void warmUp() {
    sender.submit(() -> producer.partitionsFor(topic));
  }

  @Override
  public CompletableFuture<Void> send(Request r, String traceparent) {
    byte[] value = serde.serialize(topic, r);
    if (value.length > maxRecordBytes) {
      throw new RecordTooLargeException(
          "the request is "
              + value.length
              + " bytes as a record, more than the largest record Sluice writes ("
              + maxRecordBytes
              + ")");
    }
    RecordHeaders headers = new RecordHeaders();
    headers.add(ReplyHeaders.TOPIC, replyTopic);
    headers.add(ReplyHeaders.PARTITION, replyPartition);
    if (traceparent != null) {
      headers.add("traceparent", ReplyHeaders.bytes(traceparent));
    }
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(topic, null, r.getSessionId(), value, headers);
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      sender.execute(
          () -> {
            try {
              producer.send(
                  record,
                  (md, e) -> {
                    if (e == null) {
                      acked.complete(null);
                    } else {
                      acked.completeExceptionally(e);
                    }
                  });
            } catch (RuntimeException e) {
              acked.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException closed) {
      acked.completeExceptionally(closed);
    }
    return acked;
  }

  @Override
  public void close() {
    sender.shutdown();
    try {
      sender.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
