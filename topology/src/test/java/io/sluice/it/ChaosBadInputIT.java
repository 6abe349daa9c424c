package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Chaos scenario 5: the {@link BadInputCorpus} produced to a live gateway (exactly-once, embedded
 * broker, the simulator over HTTP). The gateway never stops; every bad record ends as a dead letter
 * with the contract's headers or a REJECTED/ERROR response with a code; every valid request around
 * them is answered OK exactly once; the heap after a GC stays within a generous bound.
 */
@Tag("integration")
class ChaosBadInputIT {
  private static final long SEED = Long.getLong("sluice.chaos.seed", 5L);
  private static final long HEAP_GROWTH_BOUND = 768L << 20;

  @Test
  void shouldSurviveTheBadInputCorpusAndAnswerEveryValidRequest() throws Exception {
    Path state = Files.createTempDirectory("sluice-chaos-bad-input");
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim = LlmSimulator.start(LlmSimulator.Options.loopback(0, SimFaults.NONE))) {
      String yaml =
          """
          kafka: {bootstrap_servers: "%s", application_id: chaos-bad-input, state_dir: "%s"}
          topics: {partitions: 2}
          providers:
            sim: {type: openai, base_url: "%s/v1", max_concurrency: 64}
          models:
            gpt: {deployments: [{provider: sim, model: sim-gpt}]}
          http: {port: 0}
          """
              .formatted(broker.bootstrapServers(), state, sim.url());
      SluiceApp app =
          Topics.startGateway(
              broker.bootstrapServers(), SluiceConfig.parse(yaml, "chaos.yaml", Map.of()));
      try {
        run(broker.bootstrapServers(), app);
      } finally {
        app.close();
      }
    }
  }

  private void run(String bootstrap, SluiceApp app) throws Exception {
    List<BadInputCorpus.Item> corpus = new BadInputCorpus(SEED).build();
    long heapBefore = heapAfterGc();

    // When the corpus is produced, in order
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = Topics.bytesProducer(bootstrap)) {
      for (BadInputCorpus.Item item : corpus) {
        sent.add(producer.send(new ProducerRecord<>("llm.requests", item.key(), item.value())));
      }
      producer.flush();
    }
    Map<String, BadInputCorpus.Item> deadExpected = new HashMap<>();
    Map<String, BadInputCorpus.Item> byId = new HashMap<>();
    int anonymous = 0;
    for (int i = 0; i < corpus.size(); i++) {
      BadInputCorpus.Item item = corpus.get(i);
      RecordMetadata md = sent.get(i).get();
      if (item.expect() == BadInputCorpus.Expect.DEAD_LETTER) {
        deadExpected.put(md.partition() + "@" + md.offset(), item);
      } else if (item.requestId() == null) {
        anonymous++;
      } else {
        byId.put(item.requestId(), item);
      }
    }

    // Then every record ends somewhere, while the gateway keeps running
    Map<String, ConsumerRecord<byte[], byte[]>> dead = new HashMap<>();
    List<Response> responses = new ArrayList<>();
    int anonymousExpected = anonymous;
    try (Topics.Reader<Response> reader = Topics.responses(bootstrap, "llm.responses");
        KafkaConsumer<byte[], byte[]> dlq = rawReader(bootstrap, "llm.dlq")) {
      await()
          .atMost(Duration.ofSeconds(75))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                // a rebalance is not a stop; anything past it (ERROR, shutting down) is
                assertThat(app.state().isRunningOrRebalancing())
                    .as("gateway " + app.state())
                    .isTrue();
                for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(100))) {
                  dead.put(
                      header(r, "sluice.source.partition")
                          + "@"
                          + header(r, "sluice.source.offset"),
                      r);
                }
                responses.clear();
                responses.addAll(reader.poll());
                long named =
                    responses.stream()
                        .map(Response::getRequestId)
                        .filter(byId::containsKey)
                        .distinct()
                        .count();
                long unnamed = responses.stream().filter(r -> r.getRequestId() == null).count();
                return dead.keySet().containsAll(deadExpected.keySet())
                    && named == byId.size()
                    && unnamed >= anonymousExpected;
              });
      // a little longer: a duplicate would show up now
      long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      while (System.nanoTime() < until) {
        responses.clear();
        responses.addAll(reader.poll());
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> app.state() == KafkaStreams.State.RUNNING);
    double replaced = app.metrics().find("sluice.stream.threads.replaced").counter().count();
    assertThat(replaced).as("stream threads that died").isZero();

    int rejected = 0;
    int errors = 0;
    int ok = 0;
    Map<String, Integer> seen = new HashMap<>();
    Map<String, Integer> badOutcomes = new java.util.TreeMap<>();
    for (Response r : responses) {
      if (r.getStatus() != ResponseStatus.OK) {
        assertThat(r.getError()).as("error of %s", r.getRequestId()).isNotNull();
        assertThat(r.getError().getCode()).isNotBlank();
      }
      switch (r.getStatus()) {
        case OK -> ok++;
        case REJECTED -> rejected++;
        default -> errors++;
      }
      BadInputCorpus.Item item = r.getRequestId() == null ? null : byId.get(r.getRequestId());
      if (item == null) {
        continue;
      }
      seen.merge(r.getRequestId(), 1, Integer::sum);
      if (item.expect() == BadInputCorpus.Expect.ANSWERED) {
        String code = r.getError() == null ? "" : " " + r.getError().getCode();
        badOutcomes.merge(item.kind() + ": " + r.getStatus() + code, 1, Integer::sum);
      }
      switch (item.expect()) {
        case OK ->
            assertThat(r.getStatus())
                .as(item.kind() + " " + r.getRequestId())
                .isEqualTo(ResponseStatus.OK);
        case REJECTED -> {
          assertThat(r.getStatus()).as(item.kind()).isEqualTo(ResponseStatus.REJECTED);
          assertThat(r.getError().getCode()).as(item.kind()).isEqualTo(item.code());
        }
        default -> {}
      }
    }
    for (ConsumerRecord<byte[], byte[]> r : dead.values()) {
      for (String h :
          List.of(
              "sluice.error.code",
              "sluice.error.message",
              "sluice.error.stage",
              "sluice.source.topic",
              "sluice.error.time")) {
        assertThat(header(r, h)).as(h).isNotBlank();
      }
      assertThat(header(r, "sluice.error.stage")).isEqualTo("ingest");
    }
    long lost =
        deadExpected.keySet().stream().filter(k -> !dead.containsKey(k)).count()
            + byId.keySet().stream().filter(id -> !seen.containsKey(id)).count();
    long heapGrowth = heapAfterGc() - heapBefore;
    System.out.printf(
        "chaos bad-input: records %d, dead letters %d, rejected %d, errors %d, answered %d, lost %d,"
            + " heap growth %d MiB, seed %d%n",
        corpus.size(), dead.size(), rejected, errors, ok, lost, heapGrowth >> 20, SEED);
    System.out.println("chaos bad-input: readable bad records answered " + badOutcomes);

    assertThat(lost).isZero();
    assertThat(seen.values()).as("one response per request").allMatch(c -> c == 1);
    assertThat(dead.keySet()).isEqualTo(deadExpected.keySet());
    assertThat(heapGrowth).isLessThan(HEAP_GROWTH_BOUND);
  }

  private static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static KafkaConsumer<byte[], byte[]> rawReader(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> tps =
        c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    c.assign(tps);
    c.seekToBeginning(tps);
    return c;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
