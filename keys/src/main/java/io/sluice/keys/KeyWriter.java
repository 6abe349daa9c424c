package io.sluice.keys;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes a key's record to the keys topic (idempotent producer, acks=all), waiting for it. */
public final class KeyWriter implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final String topic;

  public KeyWriter(Properties kafka, String topic) {
    Properties p = new Properties();
    p.putAll(kafka);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "sluice-keys-writer");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  /**
   * Writes {@code key} under its id and waits until the broker has it.
   *
   * @throws IllegalArgumentException when the key is invalid (naming the field)
   */
  public void write(VirtualKey key, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    byte[] value = KeyCodec.encode(key);
    producer
        .send(new ProducerRecord<>(topic, key.id(), value))
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
