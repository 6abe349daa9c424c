package io.sluice.provider.stream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * An incremental Server-Sent Events parser (the WHATWG {@code text/event-stream} rules): bytes go
 * in as the transport delivers them, in pieces split anywhere (inside a line, a UTF-8 character or
 * a CRLF), and each complete event comes out once its blank line arrived. Lines end with LF, CR or
 * CRLF; lines starting with {@code :} are comments; several {@code data:} lines are joined by
 * {@code \n}; {@code id:} and {@code retry:} are ignored; an event without data is not dispatched.
 *
 * <p>Not thread-safe: one parser per response body, fed by the one thread that reads it.
 */
public final class SseParser {
  /** Receives each complete event; may throw to stop the stream. */
  @FunctionalInterface
  public interface Listener {
    void onEvent(SseEvent event) throws IOException;
  }

  private final Listener listener;
  private final int maxEventBytes;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private final StringBuilder data = new StringBuilder();
  private String type;
  private boolean hasData;
  private boolean afterCr;
  private boolean started;
  private int eventBytes;

  /**
   * @param maxEventBytes the largest event accepted; a longer one fails the stream (a bound on what
   *     one provider answer may hold in memory)
   */
  public SseParser(Listener listener, int maxEventBytes) {
    this.listener = listener;
    this.maxEventBytes = maxEventBytes;
  }

  /** Parses {@code len} bytes of {@code buf} from {@code off}, dispatching completed events. */
  public void feed(byte[] buf, int off, int len) throws IOException {
    for (int i = off; i < off + len; i++) {
      byte b = buf[i];
      if (afterCr) {
        afterCr = false;
        if (b == '\n') {
          continue; // the LF of a CRLF
        }
      }
      if (b == '\n' || b == '\r') {
        afterCr = b == '\r';
        endLine();
      } else {
        if (++eventBytes > maxEventBytes) {
          throw new IOException("a stream event is larger than " + maxEventBytes + " bytes");
        }
        line.write(b);
      }
    }
  }

  /** The body ended: an event without its blank line is dropped, as the standard says. */
  public void finish() {
    line.reset();
    resetEvent();
  }

  private void endLine() throws IOException {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    if (!started) {
      started = true;
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
    }
    if (text.isEmpty()) {
      dispatch();
      return;
    }
    if (text.charAt(0) == ':') {
      return; // a comment, e.g. a keep-alive
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = "";
    if (colon >= 0) {
      int from = colon + 1;
      if (from < text.length() && text.charAt(from) == ' ') {
        from++;
      }
      value = text.substring(from);
    }
    switch (field) {
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      case "event" -> type = value;
      default -> {
        // id, retry and unknown fields carry nothing a provider answer needs
      }
    }
  }

  private void dispatch() throws IOException {
    if (!hasData) {
      resetEvent();
      return;
    }
    SseEvent event =
        new SseEvent(type == null || type.isEmpty() ? "message" : type, data.toString());
    resetEvent();
    listener.onEvent(event);
  }

  private void resetEvent() {
    data.setLength(0);
    type = null;
    hasData = false;
    eventBytes = 0;
  }
}
