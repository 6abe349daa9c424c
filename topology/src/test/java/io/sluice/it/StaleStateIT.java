package io.sluice.it;

import static io.sluice.it.CacheGateway.CACHE;
import static io.sluice.it.CacheGateway.PARTITIONS;
import static io.sluice.it.CacheGateway.assertAnswersAndCaches;
import static io.sluice.it.CacheGateway.cacheAnswers;
import static io.sluice.it.CacheGateway.config;
import static io.sluice.it.CacheGateway.rebuilt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.SluiceApp;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * Local state that no longer matches the cluster never stops the gateway at start: the response
 * cache's global store is rebuilt from its topic, with a metric saying why.
 */
@Tag("integration")
class StaleStateIT {

  @Test
  void shouldStartAndAnswerWithAStateDirectoryLeftByARunAgainstAnotherBroker(@TempDir Path dir)
      throws Exception {
    Path state = dir.resolve("state");
    try (LlmSimulator sim = CacheGateway.simulator()) {
      // Given a run against one broker that cached answers
      try (EmbeddedKafkaBroker first =
              EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
          SluiceApp app =
              Topics.startGateway(
                  first.bootstrapServers(), config(first.bootstrapServers(), state, sim))) {
        cacheAnswers(app, first.bootstrapServers(), 8);
      }
      // When the gateway starts on the same state directory against a fresh broker
      try (EmbeddedKafkaBroker second =
              EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
          SluiceApp app =
              Topics.startGateway(
                  second.bootstrapServers(), config(second.bootstrapServers(), state, sim))) {
        // Then it answers, fills its cache anew, and says why it was rebuilt
        assertAnswersAndCaches(app, second.bootstrapServers());
        assertThat(rebuilt(app, "other_cluster")).isEqualTo(1.0);
      }
    }
  }

  @Test
  void shouldStartAndAnswerAfterTheCacheRecordsBelowItsCheckpointWereDeleted(@TempDir Path dir)
      throws Exception {
    Path state = dir.resolve("state");
    try (LlmSimulator sim = CacheGateway.simulator();
        EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral())) {
      String bootstrap = broker.bootstrapServers();
      // Given a gateway that cached answers and stopped
      try (SluiceApp app = Topics.startGateway(bootstrap, config(bootstrap, state, sim))) {
        cacheAnswers(app, bootstrap, 8);
      }
      // and, while it was down, other instances kept writing the cache and retention then
      // deleted everything up to the end: its store's offsets are now below the log start
      try (KafkaProducer<byte[], byte[]> producer = Topics.bytesProducer(bootstrap)) {
        for (int p = 0; p < PARTITIONS; p++) {
          for (int i = 0; i < 3; i++) {
            producer.send(
                new ProducerRecord<>(
                    CACHE, p, ("gone-" + p + "-" + i).getBytes(StandardCharsets.UTF_8), null));
          }
        }
      }
      deleteAllRecords(bootstrap);

      // When it starts again on the same state directory
      try (SluiceApp app = Topics.startGateway(bootstrap, config(bootstrap, state, sim))) {
        // Then it answers, its cache holds nothing that was deleted, and it says why
        assertAnswersAndCaches(app, bootstrap);
        assertThat(rebuilt(app, "offset_out_of_range")).isEqualTo(1.0);
      }
    }
  }

  @Test
  void shouldStartAndAnswerWhenACrashLeftTheCacheStoreOpen(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("state");
    try (LlmSimulator sim = CacheGateway.simulator();
        EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral())) {
      String bootstrap = broker.bootstrapServers();
      // Given a gateway (exactly-once) that cached answers, and a store that a crash left
      // marked open: what kill -9 leaves once RocksDB had flushed since the store was opened
      try (SluiceApp app = Topics.startGateway(bootstrap, config(bootstrap, state, sim))) {
        cacheAnswers(app, bootstrap, 4);
      }
      markOpen(state.resolve("stale-state-it/global/rocksdb/cache"));

      // When it starts again on the same state directory
      try (SluiceApp app = Topics.startGateway(bootstrap, config(bootstrap, state, sim))) {
        // Then its cache was rebuilt from the topic, which still holds every answer, it answers
        // from it, and it says why
        await().atMost(Duration.ofSeconds(30)).until(() -> app.cacheEntries(100) == 4);
        assertThat(CacheGateway.ask(bootstrap, "new-1", "question 3").getCacheHit()).isTrue();
        assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(rebuilt(app, "unclean_shutdown")).isEqualTo(1.0);
      }
    }
  }

  private static void deleteAllRecords(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(CACHE, p), OffsetSpec.latest());
      }
      Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
      admin
          .listOffsets(latest)
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach((tp, info) -> delete.put(tp, RecordsToDelete.beforeOffset(info.offset())));
      admin.deleteRecords(delete).all().get(30, TimeUnit.SECONDS);
    }
  }

  /** Sets the store's status key (in its {@code offsets} column family) to 1: open. */
  private static void markOpen(Path storeDir) throws Exception {
    RocksDB.loadLibrary();
    String path = storeDir.toString();
    List<byte[]> families;
    try (Options options = new Options()) {
      families = RocksDB.listColumnFamilies(options, path);
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (ColumnFamilyOptions familyOptions = new ColumnFamilyOptions();
        DBOptions options = new DBOptions();
        RocksDB db =
            RocksDB.open(
                options,
                path,
                families.stream().map(f -> new ColumnFamilyDescriptor(f, familyOptions)).toList(),
                handles)) {
      int offsets = -1;
      for (int i = 0; i < families.size(); i++) {
        if (Arrays.equals(families.get(i), "offsets".getBytes(StandardCharsets.UTF_8))) {
          offsets = i;
        }
      }
      assertThat(offsets).as("the store has an offsets column family").isNotNegative();
      db.put(
          handles.get(offsets),
          "status".getBytes(StandardCharsets.UTF_8),
          ByteBuffer.allocate(8).putLong(1L).array());
      handles.forEach(ColumnFamilyHandle::close);
    }
  }
}
