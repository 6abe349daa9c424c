package io.sluice.frontdoor.reply;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.SemanticMatch;
import org.junit.jupiter.api.Test;

class AnswerHeadersTest {
  static {
    io.sluice.schema.AvroTrust.install(); // builders of records with record defaults need it
  }

  private static Response.Builder hit() {
    return Response.newBuilder()
        .setRequestId("r2")
        .setStatus(ResponseStatus.OK)
        .setToolCalls(java.util.List.of())
        .setCacheHit(true)
        .setLatencyMs(5);
  }

  @Test
  void givenASemanticHitThenTheHeadersNameItsSimilarityAndTheMatchedRequest() {
    HttpHeaders h = new DefaultHttpHeaders();

    AnswerHeaders.set(h, hit().setSemantic(new SemanticMatch(0.9312, "r1")).build());

    assertThat(h.get(AnswerHeaders.CACHE_HIT)).isEqualTo("true");
    assertThat(h.get(AnswerHeaders.CACHE_SIMILARITY)).isEqualTo("0.9312");
    assertThat(h.get(AnswerHeaders.CACHE_MATCHED)).isEqualTo("r1");
  }

  @Test
  void givenAnExactHitThenThereIsNoSimilarityHeader() {
    HttpHeaders h = new DefaultHttpHeaders();

    AnswerHeaders.set(h, hit().build());

    assertThat(h.get(AnswerHeaders.CACHE_HIT)).isEqualTo("true");
    assertThat(h.contains(AnswerHeaders.CACHE_SIMILARITY)).isFalse();
  }
}
