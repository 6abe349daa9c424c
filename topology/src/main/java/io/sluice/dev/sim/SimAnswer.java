package io.sluice.dev.sim;

import java.util.List;

/** The simulator's answer in canonical form, before it is rendered in a provider's format. */
record SimAnswer(
    String text,
    List<SimConversation.Call> toolCalls,
    boolean truncated,
    int promptTokens,
    int completionTokens) {}
