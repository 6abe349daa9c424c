package io.sluice.dev.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deterministic LLM provider for development, tests and benchmarks: OpenAI's {@code POST
 * /v1/chat/completions} and Anthropic's {@code POST /v1/messages} with tool calls and usage, over
 * HTTP/1.1 and HTTP/2 (h2c, prior knowledge or upgrade), with injectable latency and failures. See
 * {@link SimRules} for what it answers.
 *
 * <p>It runs on a Netty event loop of as many threads as cores and never holds a thread per call.
 */
public final class LlmSimulator implements AutoCloseable {
  private static final int MAX_BODY = 16 * 1024 * 1024;
  private static final int RECORDED = 512;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Http2Settings H2_SETTINGS =
      Http2Settings.defaultSettings().maxConcurrentStreams(100_000);

  /** How to start a simulator. {@code apiKey} null accepts any key. */
  public record Options(String host, int port, SimFaults faults, String apiKey, int threads) {
    public static Options loopback(int port, SimFaults faults) {
      return new Options("127.0.0.1", port, faults, null, 0);
    }
  }

  private final EventLoopGroup group;
  private final Channel server;
  private final SimStats stats = new SimStats();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong seq = new AtomicLong();
  private final ArrayDeque<JsonNode> recorded = new ArrayDeque<>();
  private final String apiKey;
  private volatile SimFaults faults;

  private LlmSimulator(Options options) throws InterruptedException {
    this.faults = options.faults();
    this.apiKey = options.apiKey();
    int threads =
        options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
    this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    SimHttpHandler handler = new SimHttpHandler(this);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 8192)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    configure(ch.pipeline(), handler);
                  }
                });
    try {
      this.server = b.bind(new InetSocketAddress(options.host(), options.port())).sync().channel();
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully();
      throw e;
    }
  }

  /** Starts a simulator; it serves until {@link #close()}. */
  public static LlmSimulator start(Options options) throws InterruptedException {
    return new LlmSimulator(options);
  }

  private static void configure(ChannelPipeline p, SimHttpHandler handler) {
    ChannelInitializer<Channel> stream =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline()
                .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                .addLast(new HttpObjectAggregator(MAX_BODY))
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
                        Http2FrameCodecBuilder.forServer().initialSettings(H2_SETTINGS).build(),
                        new Http2MultiplexHandler(stream))
                    : null,
            MAX_BODY);
    ChannelInitializer<Channel> priorKnowledge =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline()
                .addLast(Http2FrameCodecBuilder.forServer().initialSettings(H2_SETTINGS).build())
                .addLast(new Http2MultiplexHandler(stream));
          }
        };
    p.addLast(new CleartextHttp2ServerUpgradeHandler(http1, upgrade, priorKnowledge));
    p.addLast(
        new SimpleChannelInboundHandler<HttpMessage>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, HttpMessage msg) {
            // No upgrade: plain HTTP/1.1 from here on.
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.addAfter(ctx.name(), null, handler);
            pipeline.replace(this, null, new HttpObjectAggregator(MAX_BODY));
            ctx.fireChannelRead(ReferenceCountUtil.retain(msg));
          }
        });
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public String url() {
    InetSocketAddress a = (InetSocketAddress) server.localAddress();
    return "http://" + a.getHostString() + ":" + a.getPort();
  }

  public SimFaults faults() {
    return faults;
  }

  public void faults(SimFaults faults) {
    this.faults = faults;
  }

  /** The counters of {@code GET /stats}. */
  public ObjectNode statsJson() {
    return stats.toJson();
  }

  SimStats stats() {
    return stats;
  }

  String apiKey() {
    return apiKey;
  }

  long nextSeq() {
    return seq.incrementAndGet();
  }

  /** Spreads failures evenly at the configured rate: call n fails when floor(n*rate) steps up. */
  boolean shouldFail() {
    double rate = faults.failRate();
    if (rate <= 0) {
      return false;
    }
    long n = calls.getAndIncrement();
    return Math.floor((n + 1) * rate) > Math.floor(n * rate);
  }

  void record(String uri, JsonNode body) {
    ObjectNode entry = MAPPER.createObjectNode().put("path", uri);
    entry.set("body", body);
    synchronized (recorded) {
      if (recorded.size() == RECORDED) {
        recorded.removeFirst();
      }
      recorded.addLast(entry);
    }
  }

  List<JsonNode> recorded() {
    synchronized (recorded) {
      return new ArrayList<>(recorded);
    }
  }

  void clearRecorded() {
    synchronized (recorded) {
      recorded.clear();
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
