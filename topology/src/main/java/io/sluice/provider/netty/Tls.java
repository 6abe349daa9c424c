package io.sluice.provider.netty;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for an {@code https://} origin: the JDK's TLS with its default trust store (or the given
 * trust manager), SNI, and the server's certificate checked against the host name.
 */
final class Tls {
  private Tls() {}

  /**
   * TLS offering by ALPN the one protocol the transport speaks.
   *
   * @param trust null for the JDK's default trust store
   */
  static SslContext context(boolean http2, X509TrustManager trust) {
    try {
      return SslContextBuilder.forClient()
          .trustManager(trust)
          .endpointIdentificationAlgorithm("HTTPS") // the certificate must name the host
          .applicationProtocolConfig(
              new ApplicationProtocolConfig(
                  ApplicationProtocolConfig.Protocol.ALPN,
                  ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                  ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                  http2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** Adds the TLS handler, first in the pipeline, when there is a context (else nothing). */
  static void addHandler(SslContext tls, Channel ch, Origin origin) {
    if (tls == null) {
      return;
    }
    ch.pipeline().addLast(tls.newHandler(ch.alloc(), origin.host(), origin.port())); // SNI
  }
}
