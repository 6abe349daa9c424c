package io.sluice.frontdoor.wire;

import io.sluice.events.ChatMessage;
import io.sluice.events.RequestParams;
import io.sluice.events.ToolSpec;
import java.util.List;
import java.util.Map;

/**
 * What a request body asked for, in Sluice's terms, before the server adds what its headers say
 * (request id, session, tenant, priority, cache, timeout, metadata headers, trace context).
 *
 * @param model the model alias as the client named it
 * @param messages the conversation as the client sent it (system prompts included, as {@code
 *     system} messages first)
 * @param params sampling parameters, or null
 * @param tools the tools offered
 * @param stream true when the client asked for Server-Sent Events
 * @param includeUsage OpenAI's {@code stream_options.include_usage}
 * @param user OpenAI's {@code user} / Anthropic's {@code metadata.user_id}, or null
 * @param metadata the body's own {@code metadata} labels (string values)
 */
public record WireCall(
    String model,
    List<ChatMessage> messages,
    RequestParams params,
    List<ToolSpec> tools,
    boolean stream,
    boolean includeUsage,
    String user,
    Map<String, String> metadata) {}
