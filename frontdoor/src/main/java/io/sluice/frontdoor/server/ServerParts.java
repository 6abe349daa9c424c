package io.sluice.frontdoor.server;

import io.sluice.frontdoor.FrontDoorSettings;
import io.sluice.frontdoor.ModelList;
import io.sluice.frontdoor.auth.Authenticator;
import io.sluice.frontdoor.kafka.RequestSink;
import io.sluice.frontdoor.metrics.FrontDoorMetrics;
import io.sluice.frontdoor.reply.AsyncResults;
import io.sluice.frontdoor.reply.Waiters;
import io.sluice.frontdoor.request.RequestBuilder;
import io.sluice.frontdoor.wire.WireFormat;
import io.sluice.guardrails.PiiGuards;
import java.time.Clock;

/**
 * What the HTTP handlers share: settings, the formats of the two chat routes, who the caller is,
 * where requests go and where their answers wait, and the PII guard of each tenant. Every part is
 * thread-safe.
 */
public record ServerParts(
    FrontDoorSettings settings,
    WireFormat openai,
    WireFormat anthropic,
    Authenticator auth,
    RequestBuilder requests,
    RequestSink sink,
    Waiters waiters,
    AsyncResults async,
    ModelList models,
    FrontDoorMetrics metrics,
    Clock clock,
    PiiGuards pii) {

  /** Parts with PII redaction off. */
  public ServerParts(
      FrontDoorSettings settings,
      WireFormat openai,
      WireFormat anthropic,
      Authenticator auth,
      RequestBuilder requests,
      RequestSink sink,
      Waiters waiters,
      AsyncResults async,
      ModelList models,
      FrontDoorMetrics metrics,
      Clock clock) {
    this(
        settings,
        openai,
        anthropic,
        auth,
        requests,
        sink,
        waiters,
        async,
        models,
        metrics,
        clock,
        PiiGuards.off());
  }
}
