package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.internal.PendingRequest;
import io.sluice.schema.AvroTrust;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AcceptedRequestsTest {
  static {
    AvroTrust.install(); // the builders below use Sluice's generated classes; no serde runs here
  }

  private static Request request(Instant createdAt, Long timeoutMs) {
    return Request.newBuilder()
        .setRequestId("r1")
        .setSessionId("s1")
        .setModel("m")
        .setMessages(List.of(new ChatMessage("user", "hi", null, null, List.of())))
        .setTools(List.of())
        .setPriority(0)
        .setUseHistory(false)
        .setMetadata(Map.of())
        .setStream(false)
        .setCreatedAt(createdAt)
        .setTimeoutMs(timeoutMs)
        .build();
  }

  @Test
  void givenAnAdmittedRequest_whenMadePending_thenEveryOtherFieldHoldsItsSchemaDefault() {
    Request r = request(null, null);

    PendingRequest p =
        AcceptedRequests.pending(
            r, 1_000L, 2_000L, 30_000L, new TraceIds.Context("t", "parent"), "root", 7L, null);

    PendingRequest withDefaults =
        PendingRequest.newBuilder()
            .setRequest(r)
            .setAcceptedAtMs(2_000L)
            .setCreatedAtMs(1_000L)
            .setDeadlineMs(31_000L)
            .setTraceId("t")
            .setRootSpanId("root")
            .setParentSpanId("parent")
            .setSeq(7L)
            .build(); // every other field from the schema's defaults
    assertThat(p).isEqualTo(withDefaults);
  }

  @Test
  void givenCreatedAtAndTimeoutAndAReplyAddress_whenMadePending_thenTheyAreItsTimesAndAddress() {
    Request r = request(Instant.ofEpochMilli(500L), 4_000L);

    PendingRequest p =
        AcceptedRequests.pending(
            r,
            1_000L,
            2_000L,
            30_000L,
            new TraceIds.Context("t", null),
            "root",
            1L,
            new ReplyAddress("llm.replies", 3));

    assertThat(p.getCreatedAtMs()).isEqualTo(500L);
    assertThat(p.getDeadlineMs()).isEqualTo(4_500L);
    assertThat(p.getReplyTopic()).isEqualTo("llm.replies");
    assertThat(p.getReplyPartition()).isEqualTo(3);
    assertThat(p.getToolMessages()).isEmpty();
    p.getAwaiting().add("a call"); // as mutable as a default would be
    assertThat(p.getAwaiting()).containsExactly("a call");
  }
}
