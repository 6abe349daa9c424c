package io.sluice.topology;

import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ToolCall;
import io.sluice.events.ToolResult;
import io.sluice.events.TraceSpan;
import io.sluice.events.Usage;
import io.sluice.internal.Completion;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;

/**
 * Every serde the gateway uses, all Avro in the Confluent framing, ids from one registry; {@code
 * replies} writes the records of reply topics.
 */
public record EventSerdes(
    ConfluentAvroSerde<Request> request,
    ConfluentAvroSerde<Response> response,
    ConfluentAvroSerde<TraceSpan> traceSpan,
    ConfluentAvroSerde<Usage> usage,
    ConfluentAvroSerde<ToolCall> toolCall,
    ConfluentAvroSerde<ToolResult> toolResult,
    ConfluentAvroSerde<Completion> completion,
    ConfluentAvroSerde<PendingRequest> pending,
    ConfluentAvroSerde<SessionState> session,
    ReplySerdes replies) {

  public static EventSerdes of(SchemaRegistry registry) {
    return new EventSerdes(
        ConfluentAvroSerde.forValues(Request.class, registry),
        ConfluentAvroSerde.forValues(Response.class, registry),
        ConfluentAvroSerde.forValues(TraceSpan.class, registry),
        ConfluentAvroSerde.forValues(Usage.class, registry),
        ConfluentAvroSerde.forValues(ToolCall.class, registry),
        ConfluentAvroSerde.forValues(ToolResult.class, registry),
        ConfluentAvroSerde.forValues(Completion.class, registry),
        ConfluentAvroSerde.forValues(PendingRequest.class, registry),
        ConfluentAvroSerde.forValues(SessionState.class, registry),
        new ReplySerdes(registry));
  }
}
