package io.sluice.provider.stream;

/**
 * One Server-Sent Event as the parser dispatches it.
 *
 * @param type the {@code event:} field, or {@code message} when the event had none
 * @param data the {@code data:} lines joined by {@code \n}
 */
public record SseEvent(String type, String data) {}
