package io.sluice.provider.netty;

import okhttp3.HttpUrl;

/**
 * The one scheme, host and port a transport talks to.
 *
 * @param hostHeader the {@code Host} header: the host (bracketed if IPv6), with the port unless it
 *     is the scheme's default
 * @param name {@code scheme://hostHeader}, for messages
 */
record Origin(boolean https, String host, int port, String hostHeader, String name) {
  /** The origin of an {@code http://} or {@code https://} URL. */
  static Origin of(String baseUrl) {
    HttpUrl url = HttpUrl.get(baseUrl);
    String host = url.host();
    int port = url.port();
    String h = host.contains(":") ? "[" + host + "]" : host;
    String hostHeader = port == HttpUrl.defaultPort(url.scheme()) ? h : h + ":" + port;
    return new Origin(
        url.scheme().equals("https"), host, port, hostHeader, url.scheme() + "://" + hostHeader);
  }

  /** Whether {@code url} is on this origin's host and port. */
  boolean serves(HttpUrl url) {
    return url.host().equals(host) && url.port() == port;
  }

  @Override
  public String toString() {
    return name;
  }
}
