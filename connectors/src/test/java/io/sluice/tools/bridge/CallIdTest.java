package io.sluice.tools.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.events.ToolCall;
import io.sluice.tools.ToolMessages;
import org.junit.jupiter.api.Test;

class CallIdTest {
  @Test
  void shouldCarryEverythingAResultNeedsThroughTheCorrelationId() {
    ToolCall call = new ToolCall("r-1", "s/1", "call_9", "calculator", "{}", 2, 123L, "t");

    CallId back = CallId.decode(CallId.of(call).encode());

    assertThat(back).isEqualTo(new CallId("r-1", "s/1", "call_9", "calculator", 2));
  }

  @Test
  void shouldRefuseAForeignCorrelationId() {
    assertThatThrownBy(() -> CallId.decode("not-ours"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldReadAReplyAndTurnAnUnreadableOneIntoAnError() {
    assertThat(ToolMessages.parseReply(ToolMessages.reply("42", false)))
        .isEqualTo(new ToolMessages.Reply("42", false));
    assertThat(ToolMessages.parseReply("garbage".getBytes()).isError()).isTrue();
  }
}
