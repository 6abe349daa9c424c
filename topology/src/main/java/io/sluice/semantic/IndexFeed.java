package io.sluice.semantic;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every instance's view of the semantic topic: a thread that reads all of its partitions from the
 * start (no consumer group) into the {@link SemanticIndex}, and the producer that writes to it.
 * Because every instance reads every record, a paraphrase is answered on any instance from an
 * answer cached by any other, as the exact cache's global store does.
 */
public final class IndexFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IndexFeed.class);

  private final KafkaConsumer<String, String> consumer;
  private final KafkaProducer<String, String> producer;
  private final String topic;
  private final SemanticIndex index;
  private final Thread thread;
  private volatile boolean running = true;

  public IndexFeed(Properties base, String topic, SemanticIndex index) {
    this.topic = topic;
    this.index = index;
    Properties c = new Properties();
    c.putAll(base);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    Properties p = new Properties();
    p.putAll(base);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-semantic-index");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    List<TopicPartition> parts =
        consumer.partitionsFor(topic).stream()
            .map(i -> new TopicPartition(topic, i.partition()))
            .toList();
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    this.thread = new Thread(this::run, "sluice-semantic-feed");
    thread.setDaemon(true);
    thread.start();
  }

  /** Writes one entry (called from semantic workers; never blocks on the broker). */
  public BiConsumer<String, String> sink() {
    return (key, json) ->
        producer.send(
            new ProducerRecord<>(topic, key, json),
            (md, e) -> {
              if (e != null) {
                log.warn("semantic index entry not written to {}: {}", topic, e.toString());
              }
            });
  }

  private void run() {
    long lastExpiry = 0;
    try {
      while (running) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() == null) {
            continue;
          }
          if (r.value() == null) {
            index.remove(r.key());
            continue;
          }
          SemanticIndex.Entry e = IndexRecords.entry(r.key(), r.value());
          if (e != null) {
            index.add(e);
          }
        }
        long now = System.currentTimeMillis();
        if (now - lastExpiry > 1_000) {
          index.expire(now);
          lastExpiry = now;
        }
      }
    } catch (WakeupException stop) {
      // closing
    } catch (RuntimeException e) {
      log.error("semantic index feed stopped: {}", e.toString(), e);
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
