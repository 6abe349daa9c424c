package io.sluice.schema.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.events.CacheMode;
import io.sluice.events.Request;
import io.sluice.schema.testing.SampleEvents;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class AvroJsonTest {
  @Test
  void shouldRoundTripEveryEventTypeThroughItsJsonForm() {
    for (SpecificRecord event : SampleEvents.all()) {
      String json = AvroJson.toJsonString(event);

      Object back = AvroJson.read(json, event.getClass());

      assertThat(back).as(json).isEqualTo(event);
    }
  }

  @Test
  void shouldFillDefaultsForLeftOutOptionalFields() {
    Request r =
        AvroJson.read(
            "{\"request_id\":\"r\",\"session_id\":\"s\",\"model\":\"m\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            Request.class);

    assertThat(r.getPriority()).isEqualTo(5);
    assertThat(r.getCache()).isEqualTo(CacheMode.DEFAULT);
    assertThat(r.getUseHistory()).isTrue();
    assertThat(r.getTenantId()).isNull();
    assertThat(r.getMessages().get(0).getToolCalls()).isEmpty();
    assertThat(r.getMetadata()).isEmpty();
  }

  @Test
  void shouldPrintPlainJsonWithoutUnionWrappers() throws Exception {
    JsonNode json = new ObjectMapper().readTree(AvroJson.toJsonString(SampleEvents.request()));

    assertThat(json.get("request_id").asText()).isEqualTo("r-1");
    assertThat(json.get("cache").asText()).isEqualTo("BYPASS");
    assertThat(json.get("timeout_ms").asLong()).isEqualTo(30_000L);
    assertThat(json.get("created_at").asLong()).isEqualTo(1_764_000_000_000L);
    assertThat(json.get("params").get("temperature").asDouble()).isZero();
  }

  @Test
  void shouldAcceptAnIsoInstantForATimestamp() {
    Request r =
        AvroJson.read(
            "{\"request_id\":\"r\",\"created_at\":\"2025-11-24T16:00:00Z\"}", Request.class);

    assertThat(r.getCreatedAt()).isEqualTo(Instant.parse("2025-11-24T16:00:00Z"));
  }

  @Test
  void shouldNameTheFieldOfAnUnknownKeyAWrongTypeOrABadEnum() {
    assertThatThrownBy(() -> AvroJson.read("{\"request_idd\":\"r\"}", Request.class))
        .isInstanceOf(AvroJsonException.class)
        .hasMessageStartingWith("request_idd: unknown field of Request");
    assertThatThrownBy(() -> AvroJson.read("{\"priority\":\"high\"}", Request.class))
        .hasMessage("priority: expected an int, got string \"high\"");
    assertThatThrownBy(() -> AvroJson.read("{\"cache\":\"SOMETIMES\"}", Request.class))
        .hasMessageContaining("cache: expected one of [DEFAULT, BYPASS, ONLY]");
    assertThatThrownBy(() -> AvroJson.read("{\"messages\":[{\"content\":\"x\"}]}", Request.class))
        .hasMessage("messages[0].role: required field is missing");
    assertThatThrownBy(() -> AvroJson.read("{not json", Request.class))
        .hasMessageStartingWith("not valid JSON");
  }
}
