package io.sluice.provider.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ChatMessage;
import io.sluice.provider.ChatCall;
import io.sluice.provider.ChatResult;
import io.sluice.provider.HttpReply;
import io.sluice.provider.OpenAiAdapter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event-loop provider client against the simulator and against hand-driven sockets. */
class NettyTransportTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private LlmSimulator simulator(long latencyMs) throws InterruptedException {
    LlmSimulator sim =
        LlmSimulator.start(
            LlmSimulator.Options.loopback(0, new SimFaults(latencyMs, 0, 0.0, "500", 1, 0)));
    open.add(sim);
    return sim;
  }

  private NettyTransport transport(String baseUrl, boolean http2) {
    NettyTransport t =
        new NettyTransport(baseUrl, http2, loop, Duration.ofSeconds(2), Duration.ofMinutes(1));
    open.add(t);
    return t;
  }

  private static Request chat(String baseUrl, String text) {
    return new OpenAiAdapter("sim", baseUrl, "sk-test", Map.of())
        .toHttp(
            new ChatCall(
                "sim-model",
                List.of(new ChatMessage("user", text, null, null, List.of())),
                null,
                List.of()));
  }

  private static List<HttpReply> sendAll(NettyTransport t, String baseUrl, int n) {
    List<CompletableFuture<HttpReply>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(t.send(chat(baseUrl, "hello " + i), TIMEOUT));
    }
    return calls.stream().map(CompletableFuture::join).toList();
  }

  @Test
  void givenHttp11_whenManyCallsAreInFlight_thenEachAnswersAndConnectionsAreReused()
      throws Exception {
    LlmSimulator sim = simulator(100);
    String base = sim.url() + "/v1";
    NettyTransport t = transport(base, false);

    List<HttpReply> first = sendAll(t, base, 200);
    List<HttpReply> second = sendAll(t, base, 200);

    assertThat(first).hasSize(200).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(second).hasSize(200).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    ChatResult parsed =
        new OpenAiAdapter("sim", base, "sk-test", Map.of()).parse(first.get(0).body());
    assertThat(parsed.content()).isNotBlank();
    assertThat(t.connectionsOpened())
        .as("at most one connection per call in flight, kept open and reused by the second wave")
        .isBetween(1L, 200L);
    assertThat(t.openConnections()).isEqualTo((int) t.connectionsOpened());
    assertThat(sim.statsJson().path("requests").asLong()).isEqualTo(400);
  }

  @Test
  void givenHttp2_whenManyCallsAreInFlight_thenAllShareOneConnection() throws Exception {
    LlmSimulator sim = simulator(100);
    String base = sim.url() + "/v1";
    NettyTransport t = transport(base, true);

    List<HttpReply> replies = sendAll(t, base, 300);

    assertThat(replies).hasSize(300).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(t.connectionsOpened()).isEqualTo(1);
    assertThat(t.openConnections()).isEqualTo(1);
    assertThat(sim.statsJson().path("requests").asLong()).isEqualTo(300);
  }

  @Test
  void givenAnH2ServerAllowingTwoStreams_whenTenCallsAreSent_thenTheyWaitForStreamsAndAllAnswer()
      throws Exception {
    AtomicInteger active = new AtomicInteger();
    AtomicInteger maxActive = new AtomicInteger();
    EventLoopGroup serverLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    open.add(() -> serverLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
    Channel server =
        new ServerBootstrap()
            .group(serverLoop)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forServer()
                                .initialSettings(
                                    Http2Settings.defaultSettings().maxConcurrentStreams(2))
                                .build())
                        .addLast(
                            new Http2MultiplexHandler(
                                new ChannelInitializer<Channel>() {
                                  @Override
                                  protected void initChannel(Channel stream) {
                                    stream
                                        .pipeline()
                                        .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                                        .addLast(new HttpObjectAggregator(1 << 20))
                                        .addLast(new SlowAnswer(active, maxActive));
                                  }
                                }));
                  }
                })
            .bind(InetAddress.getLoopbackAddress(), 0)
            .sync()
            .channel();
    open.add(() -> server.close().syncUninterruptibly());
    String base =
        "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + "/v1";

    List<HttpReply> replies = sendAll(transport(base, true), base, 10);

    assertThat(replies).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(maxActive).as("never more streams than the server allows").hasValue(2);
  }

  /** Answers each request 50 ms later, counting the streams open at once. */
  private static final class SlowAnswer extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final AtomicInteger active;
    private final AtomicInteger maxActive;

    SlowAnswer(AtomicInteger active, AtomicInteger maxActive) {
      this.active = active;
      this.maxActive = maxActive;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
      ctx.executor()
          .schedule(
              () -> {
                active.decrementAndGet();
                DefaultFullHttpResponse resp =
                    new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        HttpResponseStatus.OK,
                        Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
                resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 2);
                ctx.writeAndFlush(resp);
              },
              50,
              TimeUnit.MILLISECONDS);
    }
  }

  @Test
  void givenAProviderError_whenItAnswers_thenStatusHeadersAndBodyArePassedOn() throws Exception {
    LlmSimulator sim =
        LlmSimulator.start(LlmSimulator.Options.loopback(0, new SimFaults(0, 0, 1.0, "429", 7, 0)));
    open.add(sim);
    String base = sim.url() + "/v1";

    HttpReply reply = transport(base, false).send(chat(base, "hi"), TIMEOUT).join();

    assertThat(reply.status()).isEqualTo(429);
    assertThat(reply.headers().get("Retry-After")).isEqualTo("7");
    assertThat(new String(reply.body(), StandardCharsets.UTF_8)).contains("error");
  }

  @Test
  void givenAServerThatNeverAnswers_whenTheTimeoutPasses_thenTheCallFailsWithATimeout()
      throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> acceptAndHold(server));
      acceptor.setDaemon(true);
      acceptor.start();
      String base = "http://127.0.0.1:" + server.getLocalPort() + "/v1";

      CompletableFuture<HttpReply> call =
          transport(base, false).send(chat(base, "hi"), Duration.ofMillis(300));

      assertThatThrownBy(call::join)
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void givenNoServer_whenCalled_thenTheCallFailsAsRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String base = "http://127.0.0.1:" + port + "/v1";

    CompletableFuture<HttpReply> call = transport(base, false).send(chat(base, "hi"), TIMEOUT);

    assertThatThrownBy(call::join).hasCauseInstanceOf(ConnectException.class);
  }

  @Test
  void givenAKeepAliveConnectionTheServerDrops_whenReused_thenTheCallIsSentAgainOnANewOne()
      throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                try {
                  // First connection: one answer, then the next request is read and dropped.
                  try (Socket s = server.accept()) {
                    accepted.incrementAndGet();
                    BufferedReader in = reader(s);
                    readRequest(in);
                    answer(s.getOutputStream(), "first");
                    readRequest(in);
                  }
                  // Second connection: answered.
                  try (Socket s = server.accept()) {
                    accepted.incrementAndGet();
                    readRequest(reader(s));
                    answer(s.getOutputStream(), "second");
                    s.getInputStream().read();
                  }
                } catch (IOException e) {
                  // the test's assertions report what went wrong
                }
              });
      t.setDaemon(true);
      t.start();
      String base = "http://127.0.0.1:" + server.getLocalPort() + "/v1";
      NettyTransport transport = transport(base, false);

      HttpReply first = transport.send(chat(base, "one"), TIMEOUT).join();
      HttpReply second = transport.send(chat(base, "two"), TIMEOUT).join();

      assertThat(new String(first.body(), StandardCharsets.UTF_8)).isEqualTo("first");
      assertThat(new String(second.body(), StandardCharsets.UTF_8)).isEqualTo("second");
      assertThat(accepted).hasValue(2);
    }
  }

  private static void acceptAndHold(ServerSocket server) {
    try (Socket s = server.accept()) {
      s.getInputStream().read(new byte[1 << 16]);
      s.getInputStream().read(); // until the client gives up and closes
    } catch (IOException e) {
      // closed by the test
    }
  }

  private static BufferedReader reader(Socket s) throws IOException {
    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Reads one request's head and its Content-Length body. */
  private static void readRequest(BufferedReader in) throws IOException {
    int length = 0;
    String line;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    for (int i = 0; i < length; i++) {
      in.read();
    }
  }

  private static void answer(OutputStream out, String body) throws IOException {
    out.write(
        ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body)
            .getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
