package io.sluice.schema.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class AvroSizeTest {
  static {
    io.sluice.schema.AvroTrust.install();
  }

  private final CatalogSchemaRegistry registry = CatalogSchemaRegistry.bundled();

  @SuppressWarnings("unchecked")
  private <T extends SpecificRecord> int serialized(T value, String topic) {
    return ConfluentAvroSerde.forValues((Class<T>) value.getClass(), registry)
        .serialize(topic, value)
        .length;
  }

  private static Request request(String text) {
    return Request.newBuilder()
        .setRequestId("r1")
        .setSessionId("s1")
        .setTenantId("acme")
        .setModel("gpt")
        .setMessages(new ArrayList<>(List.of(new ChatMessage("user", text, null, null, List.of()))))
        .setMetadata(Map.of("team", "search", "ünï", "çødé"))
        .setCreatedAt(Instant.parse("2026-12-01T00:00:00Z"))
        .build();
  }

  @Test
  void givenEveryEventTypeWhenMeasuredThenTheExactSizeIsTheSerdesAndTheBoundIsNeverBelowIt() {
    for (SpecificRecord event : io.sluice.schema.testing.SampleEvents.all()) {
      String topic = "llm." + topicSuffix(event);
      int bytes = serialized(event, topic);

      assertThat(AvroSize.exact(event)).as(event.getSchema().getName()).isEqualTo(bytes);
      assertThat(AvroSize.upperBound(event))
          .as(event.getSchema().getName())
          .isGreaterThanOrEqualTo(bytes);
    }
  }

  @Test
  void givenTextOfEveryWidthWhenMeasuredThenTheBoundHoldsAndExceedsIsExact() {
    for (String text : List.of("", "ascii", "ünïcödé", "中文字符", "emoji 😀😀", "\u0000nul")) {
      Request r = request(text.repeat(1000));
      int bytes = serialized(r, "llm.requests");

      assertThat(AvroSize.upperBound(r)).isGreaterThanOrEqualTo(bytes);
      assertThat(AvroSize.exceeds(r, bytes)).isFalse();
      assertThat(AvroSize.exceeds(r, bytes - 1)).isTrue();
      assertThat(AvroSize.utf8Length(text))
          .isEqualTo(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }
  }

  private static String topicSuffix(SpecificRecord event) {
    for (io.sluice.schema.EventType t : io.sluice.schema.EventType.values()) {
      if (t.type() == event.getClass()) {
        return t.topicSuffix();
      }
    }
    throw new IllegalArgumentException(event.getClass().getName());
  }
}
