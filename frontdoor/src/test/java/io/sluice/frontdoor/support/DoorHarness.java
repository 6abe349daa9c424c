package io.sluice.frontdoor.support;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.frontdoor.FrontDoor;
import io.sluice.frontdoor.FrontDoorSettings;
import io.sluice.frontdoor.metrics.FrontDoorMetrics;
import io.sluice.frontdoor.reply.AsyncResults;
import io.sluice.frontdoor.reply.Waiters;
import io.sluice.frontdoor.request.RequestBuilder;
import io.sluice.frontdoor.server.FrontDoorServer;
import io.sluice.frontdoor.server.ServerParts;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A front door server on 127.0.0.1 with a {@link FakeSink} instead of Kafka: each request sent can
 * be answered through {@link #waiters} as the reply reader would.
 */
public final class DoorHarness implements AutoCloseable {
  public final FakeSink sink = new FakeSink();
  public final Waiters waiters = new Waiters();
  public final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  public final FrontDoorServer server;

  public DoorHarness(FrontDoorSettings settings) throws InterruptedException {
    this(settings, io.sluice.guardrails.PiiGuards.off());
  }

  /** A harness whose door applies {@code pii}. */
  public DoorHarness(FrontDoorSettings settings, io.sluice.guardrails.PiiGuards pii)
      throws InterruptedException {
    Clock clock = Clock.systemUTC();
    ServerParts parts =
        new ServerParts(
            settings,
            new FakeWire("openai"),
            new FakeWire("anthropic"),
            FrontDoor.authenticator(settings),
            new RequestBuilder(clock),
            sink,
            waiters,
            new AsyncResults(100, Duration.ofMinutes(1), clock),
            tenant -> List.of("gpt-4o-mini", "claude-haiku"),
            new FrontDoorMetrics(meters),
            clock,
            pii);
    this.server = FrontDoorServer.start(parts, 2);
  }

  /** Settings for tests: port 0, auth none, the given limits. */
  public static FrontDoorSettings settings(int maxInFlight, long maxBodyBytes, Duration timeout) {
    return settings(
        maxInFlight, maxBodyBytes, timeout, Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  /** Settings for tests with the given read and idle timeouts. */
  public static FrontDoorSettings settings(
      int maxInFlight, long maxBodyBytes, Duration timeout, Duration read, Duration idle) {
    return new FrontDoorSettings(
        "127.0.0.1",
        0,
        FrontDoorSettings.AuthMode.NONE,
        Map.of(),
        maxInFlight,
        maxBodyBytes,
        0,
        read,
        idle,
        timeout,
        Duration.ofMillis(100),
        100,
        Duration.ofMinutes(1),
        new Properties(),
        "llm.requests",
        "llm.replies",
        1_000_000,
        null);
  }

  /** Makes the fake gateway answer every request OK with {@code content}. */
  public void answerEverything(String content) {
    sink.then = r -> waiters.response(ok(r, content));
  }

  /** An OK Response to {@code r}. */
  public static Response ok(Request r, String content) {
    return Response.newBuilder()
        .setRequestId(r.getRequestId())
        .setSessionId(r.getSessionId())
        .setTenantId(r.getTenantId())
        .setStatus(ResponseStatus.OK)
        .setModel(r.getModel())
        .setProvider("sim")
        .setContent(content)
        .setAttempts(1)
        .setLatencyMs(40)
        .setProviderMs(30)
        .setTraceId("0af7651916cd43dd8448eb211c80319c")
        .build();
  }

  public String url() {
    return server.url();
  }

  @Override
  public void close() {
    server.close();
  }
}
