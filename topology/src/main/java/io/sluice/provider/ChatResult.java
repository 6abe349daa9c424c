package io.sluice.provider;

import io.sluice.events.ToolInvocation;
import java.util.List;

/** A provider's answer in canonical form. {@code finishReason} uses OpenAI's words. */
public record ChatResult(
    String content,
    List<ToolInvocation> toolCalls,
    String finishReason,
    int promptTokens,
    int completionTokens) {}
