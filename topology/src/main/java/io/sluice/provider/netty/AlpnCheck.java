package io.sluice.provider.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Promise;
import java.io.IOException;

/**
 * Over TLS, fails the HTTP/2 connection with the handshake's own error, or when the server did not
 * agree to HTTP/2 by ALPN (it would not understand the frames that follow). Removes itself once the
 * handshake is done.
 */
final class AlpnCheck extends ChannelInboundHandlerAdapter {
  private final Promise<Channel> ready;
  private final Origin origin;

  AlpnCheck(Promise<Channel> ready, Origin origin) {
    this.ready = ready;
    this.origin = origin;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent done) {
      if (!done.isSuccess()) {
        Throwable cause = done.cause();
        // a strict server ends the handshake with this alert rather than choose no protocol
        boolean refusedH2 = String.valueOf(cause.getMessage()).contains("no_application_protocol");
        ready.tryFailure(refusedH2 ? noHttp2(cause.getMessage(), cause) : cause);
      } else {
        String chosen = ctx.pipeline().get(SslHandler.class).applicationProtocol();
        if (!ApplicationProtocolNames.HTTP_2.equals(chosen)) {
          ready.tryFailure(noHttp2(chosen == null ? "no protocol chosen" : chosen, null));
          ctx.close();
          return;
        }
      }
      ctx.fireUserEventTriggered(evt);
      ctx.pipeline().remove(this);
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  private IOException noHttp2(String detail, Throwable cause) {
    return new IOException(
        origin + " did not agree to HTTP/2 by ALPN (" + detail + "): set http2: false for it",
        cause);
  }
}
