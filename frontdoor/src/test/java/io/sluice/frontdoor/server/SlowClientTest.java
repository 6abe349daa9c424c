package io.sluice.frontdoor.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.frontdoor.support.DoorHarness;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Connection-level behaviour, over a raw socket: slow clients, idle connections, h2c. */
class SlowClientTest {
  private DoorHarness door;

  @AfterEach
  void stop() {
    if (door != null) {
      door.close();
    }
  }

  private Socket connect(Duration read, Duration idle) throws Exception {
    door = new DoorHarness(DoorHarness.settings(10, 1 << 20, Duration.ofSeconds(5), read, idle));
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", door.server.port()), 5000);
    s.setSoTimeout(10_000);
    return s;
  }

  @Test
  void shouldCloseAConnectionWhoseRequestDoesNotArriveWithinTheReadTimeout() throws Exception {
    // Given a client that sends half its headers and stops
    try (Socket s = connect(Duration.ofMillis(300), Duration.ofSeconds(30))) {
      long start = System.nanoTime();
      s.getOutputStream()
          .write(
              "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.UTF_8));

      // When the server gives up on it
      int read = s.getInputStream().read();

      // Then the connection is closed, after the read timeout
      assertThat(read).isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(250));
      assertThat(door.sink.sent).isEmpty();
    }
  }

  @Test
  void shouldCloseAConnectionIdleLongerThanTheIdleTimeout() throws Exception {
    try (Socket s = connect(Duration.ofSeconds(30), Duration.ofMillis(300))) {
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void shouldSpeakHttp2ToAClientWithPriorKnowledge() throws Exception {
    // Given
    try (Socket s = connect(Duration.ofSeconds(5), Duration.ofSeconds(30))) {
      OutputStream out = s.getOutputStream();

      // When the client sends the HTTP/2 preface and an empty SETTINGS frame
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
      out.flush();

      // Then the server answers with its own SETTINGS frame
      InputStream in = s.getInputStream();
      byte[] header = in.readNBytes(9);
      assertThat(header).hasSize(9);
      assertThat(header[3]).isEqualTo((byte) 4);
    }
  }
}
