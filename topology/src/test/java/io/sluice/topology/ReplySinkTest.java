package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import io.sluice.schema.ReplyHeaders;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ReplySinkTest {
  private static Response response() {
    return Response.newBuilder()
        .setRequestId("r1")
        .setSessionId("s1")
        .setTenantId("acme")
        .setStatus(ResponseStatus.OK)
        .setModel("gpt")
        .setContent("hi")
        .setToolCalls(List.of())
        .setUsage(new TokenUsage(1, 1, 2))
        .setRespondedAt(1)
        .build();
  }

  @Test
  void shouldWriteToTheNamedPartitionOrLeaveItToTheDefaultPartitioner() {
    var partitions = ReplySink.partitions();
    Response r = response();
    assertThat(partitions.partitions("t", "s1", new SessionOutput.ReplyOut(r, "t", 3), 16))
        .isEqualTo(Optional.of(Set.of(3)));
    assertThat(partitions.partitions("t", "s1", new SessionOutput.ReplyOut(r, "t", null), 16))
        .isEmpty();
    assertThat(partitions.partitions("t", "s1", new SessionOutput.ReplyOut(r, "t", 16), 16))
        .as("a partition the topic does not have")
        .isEmpty();
  }

  @Test
  void shouldWriteEachRecordToTheTopicItNames() {
    assertThat(
            ReplySink.topics()
                .extract("s1", new SessionOutput.ReplyOut(response(), "door-9", 0), null))
        .isEqualTo("door-9");
  }

  @Test
  void shouldWriteRepliesWithTheIdsRegisteredForTheReplyTopicWhatEverTopicTheyGoTo() {
    // Given the reply topic's subjects registered at start-up
    CatalogSchemaRegistry registry = CatalogSchemaRegistry.bundled();
    EventSerdes serdes = EventSerdes.of(registry);
    serdes.replies().register("llm.replies");
    int id =
        registry
            .lookup(
                ReplyHeaders.subject("llm.replies", Response.getClassSchema()),
                Response.getClassSchema())
            .orElseThrow()
            .id();

    // When a reply goes to a topic nobody registered anything for
    byte[] bytes = ReplySink.serde(serdes.replies()).serializer().serialize("any-topic", reply());

    // Then it carries the reply topic's id and reads back as the same Response
    assertThat(ConfluentAvroSerde.schemaId(bytes)).isEqualTo(id);
    assertThat(serdes.response().deserialize("any-topic", bytes)).isEqualTo(response());
    assertThat(registry.subjects())
        .contains(ReplyHeaders.subject("llm.replies", ResponseChunk.getClassSchema()))
        .noneMatch(s -> s.startsWith("any-topic"));
  }

  @Test
  void shouldWriteChunksWithTheChunkIdOfTheReplyTopic() {
    // Given the reply topic's subjects registered at start-up
    CatalogSchemaRegistry registry = CatalogSchemaRegistry.bundled();
    ReplySerdes replies = EventSerdes.of(registry).replies();
    replies.register("llm.replies");
    ResponseChunk chunk =
        ResponseChunk.newBuilder()
            .setRequestId("r1")
            .setSessionId("s1")
            .setIndex(0)
            .setDeltaContent("Hel")
            .setAtMs(5)
            .build();

    // When a chunk is written, through the serializer a producer is given
    byte[] bytes = replies.chunkSerializer().serialize("door-3", chunk);

    // Then it reads back with the chunk schema
    assertThat(ConfluentAvroSerde.forValues(ResponseChunk.class, registry).deserialize("x", bytes))
        .isEqualTo(chunk);
  }

  @Test
  void shouldRefuseToWriteRepliesBeforeTheIdsAreRegistered() {
    EventSerdes serdes = EventSerdes.of(CatalogSchemaRegistry.bundled());
    assertThat(serdes.replies().registered()).isFalse();
    assertThatThrownBy(() -> serdes.replies().response(response()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("prepareSchemas");
  }

  private static SessionOutput.ReplyOut reply() {
    return new SessionOutput.ReplyOut(response(), "any-topic", null);
  }
}
