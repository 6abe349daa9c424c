package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.ReplyHeaders;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ReplyAddressTest {
  private static RecordHeaders headers(String topic, String partition) {
    RecordHeaders h = new RecordHeaders();
    if (topic != null) {
      h.add(ReplyHeaders.TOPIC, ReplyHeaders.bytes(topic));
    }
    if (partition != null) {
      h.add(ReplyHeaders.PARTITION, ReplyHeaders.bytes(partition));
    }
    return h;
  }

  @Test
  void shouldReadTheTopicAndPartitionHeaders() {
    assertThat(ReplyAddress.of(headers("llm.replies", "7")))
        .isEqualTo(new ReplyAddress("llm.replies", 7));
  }

  @Test
  void shouldLeaveThePartitionToThePartitionerWhenItIsAbsentOrNotANumber() {
    assertThat(ReplyAddress.of(headers("llm.replies", null)))
        .isEqualTo(new ReplyAddress("llm.replies", null));
    assertThat(ReplyAddress.of(headers("llm.replies", "seven")).partition()).isNull();
    assertThat(ReplyAddress.of(headers("llm.replies", "-1")).partition()).isNull();
  }

  @Test
  void shouldNameNoAddressWithoutATopicHeader() {
    assertThat(ReplyAddress.of(headers(null, "3"))).isNull();
    assertThat(ReplyAddress.of(new RecordHeaders())).isNull();
  }

  @Test
  void shouldIgnoreATopicNameKafkaWouldRefuse() {
    assertThat(ReplyAddress.of(headers("two words", "1"))).isNull();
    assertThat(ReplyAddress.of(headers("..", "1"))).isNull();
    assertThat(ReplyAddress.of(headers("", "1"))).isNull();
    assertThat(ReplyAddress.of(headers("x".repeat(250), "1"))).isNull();
    assertThat(ReplyAddress.legal("x".repeat(249))).isTrue();
    assertThat(ReplyAddress.legal("door_1.replies-A")).isTrue();
  }
}
