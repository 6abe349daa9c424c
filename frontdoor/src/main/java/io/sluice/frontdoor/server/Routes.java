package io.sluice.frontdoor.server;

import io.sluice.frontdoor.wire.WireFormat;

/** The front door's routes, from a request's path. */
final class Routes {
  private Routes() {}

  static final String REQUESTS_PREFIX = "/v1/requests/";

  /** A route: its metric label and whether it is a chat call of one of the two formats. */
  enum Route {
    CHAT_COMPLETIONS("chat_completions"),
    MESSAGES("messages"),
    MODELS("models"),
    REQUESTS("requests"),
    OTHER("other");

    private final String metricName;

    Route(String metricName) {
      this.metricName = metricName;
    }

    String metricName() {
      return metricName;
    }

    /** The format errors of this route are written in: Anthropic's for /v1/messages. */
    WireFormat format(ServerParts parts) {
      return this == MESSAGES ? parts.anthropic() : parts.openai();
    }
  }

  /** The route of a request URI (its query ignored). */
  static Route of(String uri) {
    String path = path(uri);
    switch (path) {
      case "/v1/chat/completions":
        return Route.CHAT_COMPLETIONS;
      case "/v1/messages":
        return Route.MESSAGES;
      case "/v1/models":
        return Route.MODELS;
      default:
        return path.startsWith(REQUESTS_PREFIX) && path.length() > REQUESTS_PREFIX.length()
            ? Route.REQUESTS
            : Route.OTHER;
    }
  }

  static String path(String uri) {
    int q = uri.indexOf('?');
    String p = q >= 0 ? uri.substring(0, q) : uri;
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }
}
