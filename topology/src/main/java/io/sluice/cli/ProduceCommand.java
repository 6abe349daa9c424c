package io.sluice.cli;

import io.sluice.events.Request;
import io.sluice.schema.EventType;
import io.sluice.schema.json.AvroJson;
import io.sluice.schema.json.AvroJsonException;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice produce}: JSON lines on stdin become Avro events on a topic. */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description =
        "Reads one JSON event per line on stdin and produces it (Avro, Confluent framing). Requests are keyed by session_id and get created_at = now when it is left out. A bad line is reported with its line number and skipped; the exit code is 1 if any was bad.")
final class ProduceCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Option(
      names = {"--topic", "-t"},
      paramLabel = "T",
      description = "Topic (default: the requests topic).")
  String topic;

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      description =
          "Event type: request, response, trace-span, usage, tool-call, tool-result (default: judged by the topic's name, else request).")
  String type;

  @Override
  public Integer call() throws Exception {
    String target = topic != null ? topic : client.topicNames().get("requests");
    EventType eventType =
        type != null ? EventType.parse(type) : EventType.ofTopic(target).orElse(EventType.REQUEST);
    Properties props = client.kafkaProperties();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    int bad = 0;
    int lineNo = 0;
    try (SchemaRegistry registry = client.schemaRegistry();
        KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      @SuppressWarnings("unchecked")
      ConfluentAvroSerde<SpecificRecord> serde =
          ConfluentAvroSerde.forValues((Class<SpecificRecord>) eventType.type(), registry);
      String line;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        SpecificRecord event;
        try {
          event = AvroJson.read(line, eventType.type());
        } catch (AvroJsonException e) {
          System.err.println("line " + lineNo + ": " + e.getMessage());
          bad++;
          continue;
        }
        if (event instanceof Request r && r.getCreatedAt() == null) {
          r.setCreatedAt(Instant.now());
        }
        byte[] value = serde.serialize(target, event);
        producer.send(
            new ProducerRecord<>(target, keyOf(eventType, event), value),
            (md, e) -> {
              if (e == null) {
                sent.incrementAndGet();
              } else {
                failed.incrementAndGet();
                firstError.compareAndSet(null, e.getMessage());
              }
            });
      }
      producer.flush();
    }
    System.err.println(
        "produced "
            + sent.get()
            + " record(s) to "
            + target
            + (bad > 0 ? "; " + bad + " bad line(s) skipped" : "")
            + (failed.get() > 0 ? "; " + failed.get() + " failed: " + firstError.get() : ""));
    return bad > 0 || failed.get() > 0 ? SluiceCli.FAILURE : SluiceCli.OK;
  }

  /** The contract's key of each event type. */
  static String keyOf(EventType type, IndexedRecord event) {
    String field =
        switch (type) {
          case REQUEST, RESPONSE, TOOL_CALL, TOOL_RESULT -> "session_id";
          case TRACE_SPAN -> "request_id";
          case USAGE -> "tenant_id";
        };
    Object key = event.get(event.getSchema().getField(field).pos());
    return key == null ? null : key.toString();
  }
}
