package io.sluice.frontdoor.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The front door's HTTP server: Netty event loops, no thread per call. Binds {@code
 * front_door.host:port} and serves until {@link #close}.
 */
public final class FrontDoorServer implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel server;

  private FrontDoorServer(ServerParts parts, int threads) throws InterruptedException {
    this.group =
        new MultiThreadIoEventLoopGroup(
            threads,
            new DefaultThreadFactory("sluice-front-door", true),
            NioIoHandler.newFactory());
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelSetup(parts));
    try {
      this.server =
          b.bind(new InetSocketAddress(parts.settings().host(), parts.settings().port()))
              .sync()
              .channel();
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** Binds and starts serving on {@code threads} event loops. */
  public static FrontDoorServer start(ServerParts parts, int threads) throws InterruptedException {
    return new FrontDoorServer(parts, threads);
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** {@code http://host:port}. */
  public String url() {
    InetSocketAddress a = (InetSocketAddress) server.localAddress();
    return "http://" + a.getHostString() + ":" + a.getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
