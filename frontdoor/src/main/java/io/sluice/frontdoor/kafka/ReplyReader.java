package io.sluice.frontdoor.kafka;

import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.frontdoor.metrics.FrontDoorMetrics;
import io.sluice.frontdoor.reply.Waiters;
import io.sluice.schema.ReplyHeaders;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reply reader: one thread reading this instance's own partition of the reply topic ({@code
 * instance_id % partitions}, manual assignment, no group, read_committed) from its end at start,
 * and handing each record to the call waiting for it. A record no call waits for is dropped: it
 * answers a call that ended (deadline) or an instance that used this partition before.
 */
public final class ReplyReader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplyReader.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final ConfluentAvroSerde<Response> responses;
  private final ConfluentAvroSerde<ResponseChunk> chunks;
  private final Waiters waiters;
  private final FrontDoorMetrics metrics;
  private final TopicPartition partition;
  private final Thread thread;
  private volatile boolean running = true;

  private ReplyReader(
      KafkaConsumer<String, byte[]> consumer,
      TopicPartition partition,
      SchemaRegistry registry,
      Waiters waiters,
      FrontDoorMetrics metrics) {
    this.consumer = consumer;
    this.partition = partition;
    this.responses = ConfluentAvroSerde.forValues(Response.class, registry);
    this.chunks = ConfluentAvroSerde.forValues(ResponseChunk.class, registry);
    this.waiters = waiters;
    this.metrics = metrics;
    this.thread = new Thread(this::run, "sluice-front-door-replies");
    thread.setDaemon(true);
  }

  /**
   * Assigns this instance's reply partition, resolves its end offset (so no reply written after
   * this returns is missed) and starts reading.
   *
   * @throws IllegalStateException when the reply topic does not exist
   */
  public static ReplyReader start(
      Properties kafka,
      String topic,
      int instanceId,
      SchemaRegistry registry,
      Waiters waiters,
      FrontDoorMetrics metrics) {
    Properties p = new Properties();
    p.putAll(kafka);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    p.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-front-door-replies-" + instanceId);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    try {
      List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (parts == null || parts.isEmpty()) {
        throw new IllegalStateException(
            "the reply topic " + topic + " does not exist: create it with sluice topics");
      }
      TopicPartition tp = new TopicPartition(topic, Math.floorMod(instanceId, parts.size()));
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp, Duration.ofSeconds(30));
      ReplyReader reader = new ReplyReader(consumer, tp, registry, waiters, metrics);
      reader.thread.start();
      log.info("front door reads its replies from {}", tp);
      return reader;
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
  }

  /** The partition this instance reads; its number goes into each request's reply headers. */
  public TopicPartition partition() {
    return partition;
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          deliver(r);
        }
      }
    } catch (WakeupException e) {
      if (running) {
        log.error("the reply reader was woken up unexpectedly", e);
      }
    } catch (RuntimeException e) {
      log.error("the reply reader stopped: calls in progress will time out", e);
    } finally {
      consumer.close();
    }
  }

  private void deliver(ConsumerRecord<String, byte[]> r) {
    String kind = ReplyHeaders.text(r.headers(), ReplyHeaders.KIND);
    try {
      boolean waited;
      if (ReplyHeaders.KIND_CHUNK.equals(kind)) {
        waited = waiters.chunk(chunks.deserialize(r.topic(), r.value()));
      } else if (ReplyHeaders.KIND_RESPONSE.equals(kind) || kind == null) {
        waited = waiters.response(responses.deserialize(r.topic(), r.value()));
      } else {
        log.warn("reply record at {}@{} of unknown kind '{}' dropped", partition, r.offset(), kind);
        return;
      }
      if (!waited) {
        metrics.replyDropped();
      }
    } catch (RuntimeException e) {
      log.warn(
          "undecodable reply record at {}@{} dropped: {}", partition, r.offset(), e.toString());
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
