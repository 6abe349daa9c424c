package io.sluice.provider.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.sluice.events.ChatMessage;
import io.sluice.provider.ChatCall;
import io.sluice.provider.HttpReply;
import io.sluice.provider.OpenAiAdapter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.X509TrustManager;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The event-loop provider client over {@code https://}, against a real TLS server (okhttp's
 * MockWebServer with a certificate from a test CA): HTTP/1.1 and HTTP/2 by ALPN, and the checks
 * that must fail a call: an untrusted certificate, a certificate for another host, a server that
 * will not speak HTTP/2 when it is required.
 */
class NettyTlsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final HeldCertificate CA =
      new HeldCertificate.Builder().certificateAuthority(0).commonName("sluice test CA").build();
  private static final X509TrustManager TRUSTS_CA =
      new HandshakeCertificates.Builder()
          .addTrustedCertificate(CA.certificate())
          .build()
          .trustManager();

  private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final MockWebServer server = new MockWebServer();
  private NettyTransport transport;

  @AfterEach
  void close() throws Exception {
    if (transport != null) {
      transport.close();
    }
    server.close();
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Serves HTTPS on 127.0.0.1 with a certificate from the test CA that names {@code host}. */
  private String serve(String host, Protocol... protocols) throws Exception {
    HeldCertificate cert =
        new HeldCertificate.Builder().addSubjectAlternativeName(host).signedBy(CA).build();
    server.useHttps(
        new HandshakeCertificates.Builder().heldCertificate(cert).build().sslSocketFactory());
    server.setProtocols(List.of(protocols));
    server.start(InetAddress.getLoopbackAddress(), 0);
    return "https://127.0.0.1:" + server.getPort() + "/v1";
  }

  private NettyTransport client(String baseUrl, boolean http2, X509TrustManager trust) {
    transport =
        new NettyTransport(
            baseUrl, http2, loop, Duration.ofSeconds(2), Duration.ofMinutes(1), trust);
    return transport;
  }

  private static Request chat(String baseUrl, String text) {
    return new OpenAiAdapter("tls", baseUrl, "sk-test", Map.of())
        .toHttp(
            new ChatCall(
                "model",
                List.of(new ChatMessage("user", text, null, null, List.of())),
                null,
                List.of()));
  }

  private static MockResponse answer(String content) {
    return new MockResponse.Builder()
        .addHeader("Content-Type", "application/json")
        .body(
            """
            {"id":"x","model":"model","choices":[{"index":0,"finish_reason":"stop",
             "message":{"role":"assistant","content":"%s"}}],
             "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}
            """
                .formatted(content))
        .headersDelay(100, TimeUnit.MILLISECONDS)
        .build();
  }

  @Test
  void givenAnHttpsServer_whenCalledOverHttp11_thenTheAnswerComesOverTheVerifiedConnection()
      throws Exception {
    String base = serve("127.0.0.1", Protocol.HTTP_2, Protocol.HTTP_1_1);
    server.enqueue(answer("over TLS"));
    NettyTransport t = client(base, false, TRUSTS_CA);

    HttpReply reply = t.send(chat(base, "hello"), TIMEOUT).join();

    assertThat(reply.status()).isEqualTo(200);
    assertThat(new OpenAiAdapter("tls", base, "k", Map.of()).parse(reply.body()).content())
        .isEqualTo("over TLS");
    RecordedRequest seen = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(seen.getHandshake()).as("a TLS handshake").isNotNull();
    assertThat(seen.getVersion()).isEqualTo("HTTP/1.1");
    assertThat(seen.getTarget()).isEqualTo("/v1/chat/completions");
  }

  @Test
  void givenAnHttpsServerSpeakingH2_whenTenCallsAreInFlight_thenAllShareOneConnection()
      throws Exception {
    String base = serve("127.0.0.1", Protocol.HTTP_2, Protocol.HTTP_1_1);
    for (int i = 0; i < 10; i++) {
      server.enqueue(answer("h2 " + i));
    }
    NettyTransport t = client(base, true, TRUSTS_CA);

    List<CompletableFuture<HttpReply>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(t.send(chat(base, "hello " + i), TIMEOUT));
    }

    assertThat(calls.stream().map(CompletableFuture::join))
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(t.connectionsOpened()).isEqualTo(1);
    for (int i = 0; i < 10; i++) {
      assertThat(server.takeRequest(5, TimeUnit.SECONDS).getVersion()).isEqualTo("HTTP/2");
    }
  }

  @Test
  void givenAServerWithoutHttp2_whenHttp2IsAsked_thenTheCallFailsSayingSo() throws Exception {
    String base = serve("127.0.0.1", Protocol.HTTP_1_1);
    NettyTransport t = client(base, true, TRUSTS_CA);

    assertThatThrownBy(() -> t.send(chat(base, "hello"), TIMEOUT).join())
        .isInstanceOf(CompletionException.class)
        .hasMessageContaining("did not agree to HTTP/2 by ALPN")
        .hasMessageContaining("http2: false");
  }

  @Test
  void givenACertificateFromAnUnknownCa_whenCalled_thenTheHandshakeFailsTheCall() throws Exception {
    String base = serve("127.0.0.1", Protocol.HTTP_1_1);
    server.enqueue(answer("never read"));
    NettyTransport t = client(base, false, null); // the JDK's trust store: the test CA is not in it

    assertThatThrownBy(() -> t.send(chat(base, "hello"), TIMEOUT).join())
        .isInstanceOf(CompletionException.class)
        .satisfies(e -> assertThat(causes(e)).anyMatch(c -> c instanceof SSLHandshakeException))
        .hasMessageContaining("PKIX");
  }

  @Test
  void givenACertificateForAnotherHost_whenCalled_thenTheCallFails() throws Exception {
    String base = serve("sluice.example", Protocol.HTTP_1_1);
    server.enqueue(answer("never read"));
    NettyTransport t = client(base, false, TRUSTS_CA);

    assertThatThrownBy(() -> t.send(chat(base, "hello"), TIMEOUT).join())
        .isInstanceOf(CompletionException.class)
        .satisfies(e -> assertThat(causes(e)).anyMatch(c -> c instanceof SSLHandshakeException))
        .hasMessageContaining("127.0.0.1");
  }

  private static List<Throwable> causes(Throwable e) {
    List<Throwable> all = new ArrayList<>();
    for (Throwable c = e; c != null && !all.contains(c); c = c.getCause()) {
      all.add(c);
    }
    return all;
  }
}
