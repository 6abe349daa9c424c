package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.schema.ReplyHeaders;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A streamed request through the whole gateway (embedded broker, simulator over HTTP): its chunks
 * and its Response reach the reply partition the request's headers name.
 */
@Tag("integration")
class StreamingGatewayIT {
  private static final String TEXT = "stream me one two three four five six seven eight";

  @Test
  void shouldWriteChunksAndTheResponseToTheReplyPartitionWhenARequestStreams(
      @TempDir java.nio.file.Path dir) throws Exception {
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim =
            LlmSimulator.start(
                LlmSimulator.Options.loopback(
                    0,
                    SimFaults.NONE.with(new ObjectMapper().readTree("{\"chunk-delay-ms\": 2}"))))) {
      String bootstrap = broker.bootstrapServers();
      SluiceConfig config =
          SluiceConfig.parse(
              """
              kafka: {bootstrap_servers: "%s", application_id: stream-it, state_dir: "%s"}
              topics: {partitions: 1, reply_partitions: 2}
              providers: {sim: {type: openai, base_url: "%s/v1"}}
              models: {gpt: {deployments: [{provider: sim, model: m}]}}
              http: {port: 0}
              """
                  .formatted(bootstrap, dir.resolve("state"), sim.url()),
              "test.yaml",
              Map.of());
      SluiceApp app = Topics.startGateway(bootstrap, config);
      try {
        // Given a streamed request naming reply partition 1 of llm.replies
        send(bootstrap);

        // When its replies arrive
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    Topics.readRaw(bootstrap, "llm.replies", 100, Duration.ofSeconds(1)).stream()
                        .anyMatch(r -> kind(r).equals(ReplyHeaders.KIND_RESPONSE)));
        List<ConsumerRecord<byte[], byte[]>> replies =
            Topics.readRaw(bootstrap, "llm.replies", 100, Duration.ofSeconds(2));

        // Then chunks numbered from 0 spell the Response's content, all on partition 1
        ConfluentAvroSerde<ResponseChunk> chunks =
            ConfluentAvroSerde.forValues(ResponseChunk.class, CatalogSchemaRegistry.bundled());
        ConfluentAvroSerde<Response> responses =
            ConfluentAvroSerde.forValues(Response.class, CatalogSchemaRegistry.bundled());
        assertThat(replies).allMatch(r -> r.partition() == 1);
        List<ResponseChunk> streamed =
            replies.stream()
                .filter(r -> kind(r).equals(ReplyHeaders.KIND_CHUNK))
                .map(r -> chunks.deserialize("llm.replies", r.value()))
                .toList();
        Response response =
            replies.stream()
                .filter(r -> kind(r).equals(ReplyHeaders.KIND_RESPONSE))
                .map(r -> responses.deserialize("llm.replies", r.value()))
                .findFirst()
                .orElseThrow();
        assertThat(streamed).hasSizeGreaterThan(3);
        assertThat(streamed).extracting(ResponseChunk::getIndex).startsWith(0, 1, 2).isSorted();
        assertThat(streamed.get(streamed.size() - 1).getIsLast()).isTrue();
        assertThat(
                streamed.stream().map(ResponseChunk::getDeltaContent).collect(Collectors.joining()))
            .isEqualTo("Echo: " + TEXT)
            .isEqualTo(response.getContent());
      } finally {
        app.close();
      }
    }
  }

  private static String kind(ConsumerRecord<byte[], byte[]> r) {
    String k = ReplyHeaders.text(r.headers(), ReplyHeaders.KIND);
    return k == null ? "" : k;
  }

  private static void send(String bootstrap) {
    ConfluentAvroSerde<Request> serde =
        ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled());
    try (KafkaProducer<String, Request> p =
        new KafkaProducer<>(
            Topics.producerProps(bootstrap), new StringSerializer(), serde.serializer())) {
      ProducerRecord<String, Request> record =
          new ProducerRecord<>(
              "llm.requests",
              "stream-session",
              Request.newBuilder()
                  .setRequestId("stream-1")
                  .setSessionId("stream-session")
                  .setModel("gpt")
                  .setStream(true)
                  .setMessages(List.of(new ChatMessage("user", TEXT, null, null, List.of())))
                  .setCreatedAt(Instant.now())
                  .build());
      record.headers().add(ReplyHeaders.TOPIC, ReplyHeaders.bytes("llm.replies"));
      record.headers().add(ReplyHeaders.PARTITION, ReplyHeaders.bytes("1"));
      p.send(record);
    }
  }
}
