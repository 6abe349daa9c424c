package io.sluice.frontdoor;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.frontdoor.auth.ApiKeyAuthenticator;
import io.sluice.frontdoor.auth.Authenticator;
import io.sluice.frontdoor.auth.HeaderTenantAuthenticator;
import io.sluice.frontdoor.kafka.KafkaRequestSink;
import io.sluice.frontdoor.kafka.ReplyReader;
import io.sluice.frontdoor.kafka.RequestSink;
import io.sluice.frontdoor.metrics.FrontDoorMetrics;
import io.sluice.frontdoor.reply.AsyncResults;
import io.sluice.frontdoor.reply.Waiters;
import io.sluice.frontdoor.request.RequestBuilder;
import io.sluice.frontdoor.server.FrontDoorServer;
import io.sluice.frontdoor.server.ServerParts;
import io.sluice.frontdoor.wire.WireFormat;
import io.sluice.guardrails.PiiGuards;
import io.sluice.schema.registry.SchemaRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running front door: the reply reader on this instance's reply partition, the request
 * producer, and the HTTP server, started in that order (no call is taken before its answer can be
 * read) and closed in reverse.
 */
public final class FrontDoor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FrontDoor.class);

  private final ReplyReader replies;
  private final RequestSink sink;
  private final FrontDoorServer server;

  private FrontDoor(ReplyReader replies, RequestSink sink, FrontDoorServer server) {
    this.replies = replies;
    this.sink = sink;
    this.server = server;
  }

  /**
   * Starts a front door.
   *
   * @param openai the format of {@code /v1/chat/completions}
   * @param anthropic the format of {@code /v1/messages}
   * @param models the aliases each tenant may use
   * @param schemas the registry the gateway uses (request schema registered at start)
   * @param meters where the {@code sluice_front_door_*} meters go (the app's registry)
   */
  public static FrontDoor start(
      FrontDoorSettings settings,
      WireFormat openai,
      WireFormat anthropic,
      ModelList models,
      SchemaRegistry schemas,
      MeterRegistry meters)
      throws InterruptedException {
    return start(settings, openai, anthropic, models, schemas, meters, PiiGuards.off());
  }

  /**
   * Starts a front door that masks or refuses personal data by {@code pii} before it produces a
   * request, and restores the originals in the answers where the tenant's policy says so.
   */
  public static FrontDoor start(
      FrontDoorSettings settings,
      WireFormat openai,
      WireFormat anthropic,
      ModelList models,
      SchemaRegistry schemas,
      MeterRegistry meters,
      PiiGuards pii)
      throws InterruptedException {
    FrontDoorMetrics metrics = new FrontDoorMetrics(meters);
    Waiters waiters = new Waiters();
    ReplyReader replies =
        ReplyReader.start(
            settings.kafka(),
            settings.repliesTopic(),
            settings.instanceId(),
            schemas,
            waiters,
            metrics);
    KafkaRequestSink sink = null;
    try {
      sink =
          new KafkaRequestSink(
              settings.kafka(),
              schemas,
              settings.requestsTopic(),
              settings.repliesTopic(),
              replies.partition().partition(),
              settings.maxRecordBytes());
      sink.warmUp();
      Clock clock = Clock.systemUTC();
      ServerParts parts =
          new ServerParts(
              settings,
              openai,
              anthropic,
              authenticator(settings),
              new RequestBuilder(clock),
              sink,
              waiters,
              new AsyncResults(settings.asyncResults(), settings.asyncResultTtl(), clock),
              models,
              metrics,
              clock,
              pii);
      FrontDoorServer server =
          FrontDoorServer.start(parts, Math.max(2, Runtime.getRuntime().availableProcessors()));
      log.info(
          "front door at {} ({} auth), replies from {}",
          server.url(),
          settings.auth(),
          replies.partition());
      return new FrontDoor(replies, sink, server);
    } catch (RuntimeException | InterruptedException e) {
      if (sink != null) {
        sink.close();
      }
      replies.close();
      throw e;
    }
  }

  /** The authenticator of {@code settings.auth}. */
  public static Authenticator authenticator(FrontDoorSettings settings) {
    return settings.auth() == FrontDoorSettings.AuthMode.KEYS
        ? new ApiKeyAuthenticator(settings.apiKeys())
        : new HeaderTenantAuthenticator();
  }

  /** {@code http://host:port}; the OpenAI base URL is this plus {@code /v1}. */
  public String url() {
    return server.url();
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
    sink.close();
    replies.close();
  }
}
