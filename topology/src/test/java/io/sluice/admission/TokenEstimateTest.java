package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenEstimateTest {
  static {
    io.sluice.schema.AvroTrust.install(); // the serdes do this in the app; here no serde runs
  }

  private static Request request(Integer maxTokens, String... texts) {
    return Request.newBuilder()
        .setRequestId("r")
        .setSessionId("s")
        .setModel("gpt")
        .setMessages(
            java.util.Arrays.stream(texts)
                .map(t -> new ChatMessage("user", t, null, null, List.of()))
                .toList())
        .setParams(
            maxTokens == null
                ? null
                : new RequestParams(null, maxTokens, null, List.of(), null, Map.of()))
        .build();
  }

  @Test
  void shouldCountFourCharactersATokenPlusFourPerMessageAndReserveMaxTokens() {
    // 12 + 5 characters: 17 / 4 rounded up is 5, plus 4 per message; plus max_tokens 100
    assertThat(TokenEstimate.of(request(100, "Hello there!", "again"), 1024))
        .isEqualTo(5 + 8 + 100);
  }

  @Test
  void shouldReserveTheDefaultWhenTheRequestNamesNoMaxTokens() {
    assertThat(TokenEstimate.of(request(null, "abcd"), 256)).isEqualTo(1 + 4 + 256);
  }
}
