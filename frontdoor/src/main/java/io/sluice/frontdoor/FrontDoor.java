package io.sluice.frontdoor;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.frontdoor.auth.ApiKeyAuthenticator;
import io.sluice.frontdoor.auth.Authenticator;
import io.sluice.frontdoor.auth.HeaderTenantAuthenticator;
import io.sluice.frontdoor.auth.VirtualKeyAuthenticator;
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
import io.sluice.keys.KeyLookup;
import io.sluice.keys.KeysReader;
import io.sluice.schema.registry.SchemaRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running front door: the reply reader on this instance's reply partition, the request
 * producer, and the HTTP server, started in that order (no call is taken before its answer can be
 * read) and closed in reverse.
 */
public final class FrontDoor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FrontDoor.class);

  /** How long a starting door waits for the virtual keys before it takes calls anyway. */
  private static final Duration KEYS_LOAD_TIMEOUT = Duration.ofSeconds(30);

  private final ReplyReader replies;
  private final RequestSink sink;
  private final FrontDoorServer server;
  private final KeysReader keys;

  private FrontDoor(
      ReplyReader replies, RequestSink sink, FrontDoorServer server, KeysReader keys) {
    this.replies = replies;
    this.sink = sink;
    this.server = server;
    this.keys = keys;
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
    return start(settings, openai, anthropic, models, schemas, meters, pii, settings::apiKeys);
  }

  /**
   * As above, with the configured keys read from {@code apiKeys} at each call (SHA-256 hex to
   * tenant, as {@link FrontDoorSettings#apiKeys}): live configuration adds and removes keys there
   * without a restart. {@code models}, {@code pii} and {@code apiKeys} must answer from memory.
   */
  public static FrontDoor start(
      FrontDoorSettings settings,
      WireFormat openai,
      WireFormat anthropic,
      ModelList models,
      SchemaRegistry schemas,
      MeterRegistry meters,
      PiiGuards pii,
      Supplier<Map<String, String>> apiKeys)
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
    KeysReader keys = null;
    try {
      keys = startKeys(settings, meters);
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
              authenticator(settings, keys == null ? KeyLookup.NONE : keys, apiKeys),
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
      return new FrontDoor(replies, sink, server, keys);
    } catch (RuntimeException | InterruptedException e) {
      if (sink != null) {
        sink.close();
      }
      if (keys != null) {
        keys.close();
      }
      replies.close();
      throw e;
    }
  }

  /** The authenticator of {@code settings.auth}, with configured keys only. */
  public static Authenticator authenticator(FrontDoorSettings settings) {
    return authenticator(settings, KeyLookup.NONE);
  }

  /** The authenticator of {@code settings.auth}: configured keys, then {@code keys}. */
  public static Authenticator authenticator(FrontDoorSettings settings, KeyLookup keys) {
    return authenticator(settings, keys, settings::apiKeys);
  }

  /** As above, with the configured keys {@code apiKeys} returns at each call. */
  public static Authenticator authenticator(
      FrontDoorSettings settings, KeyLookup keys, Supplier<Map<String, String>> apiKeys) {
    return settings.auth() == FrontDoorSettings.AuthMode.KEYS
        ? new VirtualKeyAuthenticator(ApiKeyAuthenticator.following(apiKeys), keys)
        : new HeaderTenantAuthenticator();
  }

  /** The virtual keys' reader, loaded, when keys are asked for and a keys topic is set. */
  private static KeysReader startKeys(FrontDoorSettings settings, MeterRegistry meters)
      throws InterruptedException {
    if (settings.auth() != FrontDoorSettings.AuthMode.KEYS || settings.keysTopic() == null) {
      return null;
    }
    KeysReader keys = KeysReader.start(settings.kafka(), settings.keysTopic(), "front-door");
    keys.bindTo(meters, "front_door");
    if (!keys.awaitCaughtUp(KEYS_LOAD_TIMEOUT)) {
      log.warn(
          "the virtual keys of {} are not all read after {}; keys not read yet get 401 until"
              + " they are",
          settings.keysTopic(),
          KEYS_LOAD_TIMEOUT);
    }
    return keys;
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
    if (keys != null) {
      keys.close();
    }
  }
}
