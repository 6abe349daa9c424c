package io.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.events.ResponseChunk;
import io.sluice.metrics.GatewayMetrics;
import io.sluice.schema.ReplyHeaders;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunk producer against a real broker: order, key, header, and never a blocking send. */
@Tag("integration")
class KafkaChunkSinkIT {
  private static final String TOPIC = "chunk-it-replies";

  @Test
  void shouldWriteChunksInOrderToTheReplyPartitionAndNeverBlockOnAnUnknownTopic(@TempDir Path dir)
      throws Exception {
    // Given a broker with a reply topic of 2 partitions, and a sink that knows it
    try (EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.start(new EmbeddedKafkaBroker.Options(0, dir, Map.of()))) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
      }
      Properties props = new Properties();
      props.put("bootstrap.servers", broker.bootstrapServers());
      ConfluentAvroSerde<ResponseChunk> serde =
          ConfluentAvroSerde.forValues(ResponseChunk.class, CatalogSchemaRegistry.bundled());
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (KafkaChunkSink sink =
          new KafkaChunkSink(
              props,
              serde.serializer(),
              2,
              1 << 20,
              List.of(TOPIC),
              new GatewayMetrics(registry))) {

        // When 50 chunks go to partition 1, and one to a topic the producer does not know
        for (int i = 0; i < 50; i++) {
          sink.send(TOPIC, 1, chunk(i, i == 49));
        }
        long start = System.nanoTime();
        sink.send("chunk-it-unknown", null, chunk(0, true));
        long tookMs = Duration.ofNanos(System.nanoTime() - start).toMillis();

        // Then they arrive in order, keyed by session, marked as chunks; the other send did not
        // wait
        List<ConsumerRecord<String, byte[]>> read = read(broker.bootstrapServers(), 50);
        assertThat(read).extracting(ConsumerRecord::key).containsOnly("session-1");
        assertThat(read)
            .extracting(r -> ReplyHeaders.text(r.headers(), ReplyHeaders.KIND))
            .containsOnly(ReplyHeaders.KIND_CHUNK);
        assertThat(read)
            .extracting(r -> serde.deserialize(TOPIC, r.value()).getIndex())
            .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50).boxed().toList());
        assertThat(serde.deserialize(TOPIC, read.get(49).value()).getIsLast()).isTrue();
        assertThat(tookMs).as("send to an unknown topic, ms").isLessThan(500);
        assertThat(registry.get("sluice.chunks.dropped").counter().count()).isEqualTo(1.0);
      }
    }
  }

  private static ResponseChunk chunk(int index, boolean last) {
    return ResponseChunk.newBuilder()
        .setRequestId("r1")
        .setSessionId("session-1")
        .setIndex(index)
        .setDeltaContent("piece " + index + " ")
        .setDeltaToolCalls(List.of())
        .setIsLast(last)
        .setFinishReason(last ? "stop" : null)
        .setAtMs(System.currentTimeMillis())
        .build();
  }

  private static List<ConsumerRecord<String, byte[]>> read(String bootstrap, int atLeast) {
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            Map.of("bootstrap.servers", bootstrap),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(TOPIC, 1);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= atLeast;
              });
    }
    return out;
  }
}
