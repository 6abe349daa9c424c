package io.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.events.TokenUsage;
import io.sluice.internal.Completion;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.topology.EventSerdes;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The completions producer while the broker is gone: {@code publish} runs on the provider client's
 * event loop, so it must return at once and the completion must reach the topic once the broker is
 * back. (With Kafka's default metadata recovery, each publish blocked for {@code max.block.ms} and
 * the completion was lost.)
 */
@Tag("integration")
class KafkaCompletionSinkIT {
  private static final String TOPIC = "sink-it-completions";

  @Test
  void shouldNeitherBlockNorLoseACompletionWhileTheBrokerRestarts(@TempDir Path dir)
      throws Exception {
    int port = freePort();
    EmbeddedKafkaBroker broker = start(port, dir);
    Properties props = new Properties();
    props.put("bootstrap.servers", broker.bootstrapServers());
    props.put("max.block.ms", "10000"); // the old behaviour in 10 s instead of 60
    try (KafkaCompletionSink sink =
        new KafkaCompletionSink(
            props,
            TOPIC,
            EventSerdes.of(CatalogSchemaRegistry.bundled()).completion().serializer())) {
      sink.publish(0, completion(0));

      // Given the broker is gone
      broker.close();

      // When completions are published over the next 6 s (stopping at the first slow one)
      AtomicInteger published = new AtomicInteger(1);
      AtomicLong slowestMs = new AtomicLong();
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                long start = System.nanoTime();
                sink.publish(0, completion(published.getAndIncrement()));
                slowestMs.accumulateAndGet(
                    Duration.ofNanos(System.nanoTime() - start).toMillis(), Math::max);
                return published.get() == 13 || slowestMs.get() >= 1000;
              });

      // Then none waited, and all of them are written once the broker is back
      assertThat(slowestMs.get()).as("slowest publish, ms").isLessThan(1000);
      broker = start(port, dir);
      assertThat(read(broker.bootstrapServers(), 13)).hasSize(13);
      assertThat(sink.failures()).isZero();
    } finally {
      broker.close();
    }
  }

  private static Completion completion(int n) {
    return Completion.newBuilder()
        .setRequestId("r" + n)
        .setSessionId("s")
        .setDispatch(1)
        .setOk(true)
        .setContent("answer " + n)
        .setToolCalls(List.of())
        .setFinishReason("stop")
        .setUsage(new TokenUsage(1, 1, 2))
        .setCostUsd(0)
        .setProvider("sim")
        .setProviderModel("sim-gpt")
        .setAttempts(List.of())
        .build();
  }

  private static EmbeddedKafkaBroker start(int port, Path dir) throws Exception {
    EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.start(new EmbeddedKafkaBroker.Options(port, dir, Map.of()));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      if (!admin.listTopics().names().get().contains(TOPIC)) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
      }
    }
    return broker;
  }

  private static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, int atLeast) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            Map.of("bootstrap.servers", bootstrap),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(TOPIC, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= atLeast;
              });
    }
    return out;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
