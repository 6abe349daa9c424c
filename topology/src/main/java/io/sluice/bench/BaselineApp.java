package io.sluice.bench;

import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TokenUsage;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The benchmark's baseline: a bare pass-through Kafka Streams app that reads a request, writes a
 * response with the same serdes, topics and settings as the gateway, and does nothing else. What it
 * costs is what Kafka alone costs here.
 */
public final class BaselineApp {
  private BaselineApp() {}

  public static Topology topology(
      String requests,
      String responses,
      ConfluentAvroSerde<Request> in,
      ConfluentAvroSerde<Response> out) {
    StreamsBuilder b = new StreamsBuilder();
    b.stream(requests, Consumed.with(Serdes.String(), in).withName("baseline-source"))
        .mapValues(
            (k, r) ->
                Response.newBuilder()
                    .setRequestId(r.getRequestId())
                    .setSessionId(r.getSessionId())
                    .setTenantId(r.getTenantId())
                    .setStatus(ResponseStatus.OK)
                    .setModel(r.getModel())
                    .setContent("pass-through")
                    .setToolCalls(List.of())
                    .setUsage(new TokenUsage(0, 0, 0))
                    .setRespondedAt(System.currentTimeMillis())
                    .build(),
            Named.as("baseline-respond"))
        .to(responses, Produced.with(Serdes.String(), out).withName("baseline-sink"));
    return b.build();
  }

  public static KafkaStreams start(Properties streamsProps, Topology topology) {
    KafkaStreams streams = new KafkaStreams(topology, streamsProps);
    streams.start();
    return streams;
  }
}
