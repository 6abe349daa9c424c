package io.sluice.frontdoor.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one connection: HTTP/1.1 with keep-alive, or h2c (prior knowledge, or an {@code
 * Upgrade: h2c} from HTTP/1.1), each HTTP/2 stream with a pipeline of its own. Both end in the same
 * body limit and handler, which see whole requests.
 */
final class ChannelSetup extends ChannelInitializer<SocketChannel> {
  private static final Http2Settings H2 =
      Http2Settings.defaultSettings().maxConcurrentStreams(1000);
  private static final int MAX_UPGRADE_BODY = 16_384;

  private final ServerParts parts;
  private final FrontDoorHandler handler;
  private final long readTimeoutMs;
  private final long idleTimeoutMs;

  ChannelSetup(ServerParts parts) {
    this.parts = parts;
    this.handler = new FrontDoorHandler(parts);
    this.readTimeoutMs = parts.settings().readTimeout().toMillis();
    this.idleTimeoutMs = parts.settings().idleTimeout().toMillis();
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelInitializer<Channel> stream =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel s) {
            s.pipeline()
                .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                .addLast(SlowClientGuard.forStream(readTimeoutMs))
                .addLast(new BodyLimit(parts))
                .addLast(handler);
          }
        };
    HttpServerCodec http1 = new HttpServerCodec();
    HttpServerUpgradeHandler upgrade =
        new HttpServerUpgradeHandler(
            http1,
            protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                    ? new Http2ServerUpgradeCodec(
                        Http2FrameCodecBuilder.forServer().initialSettings(H2).build(),
                        new Http2MultiplexHandler(stream))
                    : null,
            MAX_UPGRADE_BODY);
    ChannelInitializer<Channel> priorKnowledge =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel c) {
            c.pipeline()
                .addLast(Http2FrameCodecBuilder.forServer().initialSettings(H2).build())
                .addLast(new Http2MultiplexHandler(stream));
          }
        };
    SlowClientGuard guard = new SlowClientGuard(readTimeoutMs);
    ch.pipeline()
        .addLast(new IdleStateHandler(0, 0, idleTimeoutMs, TimeUnit.MILLISECONDS))
        .addLast(guard.rawBytes())
        .addLast(new CleartextHttp2ServerUpgradeHandler(http1, upgrade, priorKnowledge))
        .addLast(guard)
        .addLast(new BodyLimit(parts))
        .addLast(handler);
  }
}
