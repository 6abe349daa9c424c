package io.sluice.frontdoor.wire;

import io.sluice.events.Response;

/**
 * One client wire format (OpenAI Chat Completions, Anthropic Messages) and its translation to and
 * from Sluice's events. Stateless and thread-safe; pure functions of their inputs, with no I/O.
 *
 * <p>The server reads the headers (ids, session, tenant, priority, ...) itself and completes the
 * {@link WireCall} into a {@code Request}; a format only reads and writes bodies.
 */
public interface WireFormat {
  /** {@code openai} or {@code anthropic}: the metric label and the log name. */
  String name();

  /**
   * Reads a request body.
   *
   * @throws WireError a 400 naming the field when the body is not JSON or not a valid request
   */
  WireCall parse(byte[] body) throws WireError;

  /** The body of a {@code 200} answer to a non-streamed call; {@code r.status} is OK. */
  byte[] answer(Response r);

  /**
   * The error body in this format's shape for {@code error}. OpenAI: {@code {"error": {"message",
   * "type", "code", "param"}}}; Anthropic: {@code {"type": "error", "error": {"type", "message"}}}.
   */
  byte[] error(WireError error);

  /** A new encoder of one streamed answer, as Server-Sent Events. */
  StreamEncoder stream(WireCall call, String requestId);
}
