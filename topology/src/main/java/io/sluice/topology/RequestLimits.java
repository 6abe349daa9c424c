package io.sluice.topology;

/**
 * Bounds on the shape of a request, checked at ingest before anything is stored: what a provider
 * would refuse, and what would make keys and records large. The fixed ones are constants; the
 * message count is a config key ({@code sessions.max_request_messages}).
 *
 * @param maxRequestMessages most messages one request may carry
 */
public record RequestLimits(int maxRequestMessages) {
  /** Most characters of request_id, session_id, tenant_id and model: they become keys and tags. */
  public static final int MAX_ID_LENGTH = 512;

  /** Most tools one request may offer (OpenAI's limit). */
  public static final int MAX_TOOLS = 128;

  /** Most characters of a tool name (OpenAI's and Anthropic's limit). */
  public static final int MAX_TOOL_NAME_LENGTH = 64;

  /** The default of {@code sessions.max_request_messages}. */
  public static final int DEFAULT_MAX_REQUEST_MESSAGES = 2_048;

  public RequestLimits {
    if (maxRequestMessages <= 0) {
      throw new IllegalArgumentException("maxRequestMessages must be > 0");
    }
  }

  /** The defaults. */
  public static RequestLimits defaults() {
    return new RequestLimits(DEFAULT_MAX_REQUEST_MESSAGES);
  }
}
