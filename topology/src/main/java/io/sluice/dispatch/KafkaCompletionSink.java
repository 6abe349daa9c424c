package io.sluice.dispatch;

import io.sluice.internal.Completion;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes completions with a plain idempotent producer (outside the stream's transactions) to the
 * partition of the task that dispatched them. A completion that cannot be written is logged and
 * counted; the request stays pending and the session processor dispatches it again.
 */
public final class KafkaCompletionSink implements CompletionSink {
  private static final Logger log = LoggerFactory.getLogger(KafkaCompletionSink.class);

  private final KafkaProducer<String, Completion> producer;
  private final String topic;
  private final AtomicLong failures = new AtomicLong();

  public KafkaCompletionSink(Properties base, String topic, Serializer<Completion> serializer) {
    Properties p = new Properties();
    p.putAll(base);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    // Kafka's own default since 4.0: completions from many provider threads share batches, so the
    // broker takes a few larger requests instead of one per completion.
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "sluice-completions");
    // publish() runs on the provider client's threads (a Netty event loop serves every call in
    // flight), so send() must never wait. With Kafka's default "rebootstrap", a producer that has
    // lost every broker forgets the topic's partitions, and each send then blocks for
    // max.block.ms (60 s) and fails: during a broker restart the event loop stalled, calls in
    // flight timed out, the circuit opened and requests were answered circuit_open, while the
    // completions were lost (ChaosBrokerRestartIT). Keeping the known partitions, a send during an
    // outage is buffered and delivered when the broker is back, within delivery.timeout.ms.
    p.putIfAbsent(CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG, "none");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), serializer);
    this.topic = topic;
    // start-up I/O: the first send would otherwise wait for the topic's metadata on the provider
    // client's event loop, holding every call on it
    producer.partitionsFor(topic);
  }

  @Override
  public void publish(int partition, Completion completion) {
    send(new ProducerRecord<>(topic, partition, completion.getSessionId(), completion));
  }

  @Override
  public void publishShared(int partition, Completion completion, String sharedCallOf) {
    ProducerRecord<String, Completion> record =
        new ProducerRecord<>(topic, partition, completion.getSessionId(), completion);
    record.headers().add(SHARED_CALL_OF, sharedCallOf.getBytes(StandardCharsets.UTF_8));
    send(record);
  }

  private void send(ProducerRecord<String, Completion> record) {
    Completion completion = record.value();
    int partition = record.partition();
    producer.send(
        record,
        (md, e) -> {
          if (e != null) {
            failures.incrementAndGet();
            log.warn(
                "completion of {} not written to {}-{}: {}; it will be dispatched again",
                completion.getRequestId(),
                topic,
                partition,
                e.toString());
          }
        });
  }

  public long failures() {
    return failures.get();
  }

  @Override
  public void close() {
    producer.close();
  }
}
