package io.sluice.provider;

import io.sluice.events.ChatMessage;
import io.sluice.events.RequestParams;
import io.sluice.events.ToolSpec;
import java.util.List;

/**
 * One chat call in Sluice's canonical form (OpenAI's vocabulary), before an adapter renders it for
 * a provider.
 *
 * @param providerModel the provider's own model name
 * @param messages the whole conversation to send
 * @param params sampling parameters, or null
 * @param tools the tools offered
 */
public record ChatCall(
    String providerModel, List<ChatMessage> messages, RequestParams params, List<ToolSpec> tools) {}
