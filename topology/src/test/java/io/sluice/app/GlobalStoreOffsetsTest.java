package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

/** Reads a store laid out as Kafka Streams 4.3's RocksDBStore writes it. */
class GlobalStoreOffsetsTest {
  @TempDir Path appDir;

  @Test
  void givenNoStoreOnDisk_whenRead_thenEmpty() throws Exception {
    assertThat(GlobalStoreOffsets.read(GlobalStoreOffsets.storeDir(appDir, "cache"))).isEmpty();
  }

  @Test
  void givenAClosedStore_whenRead_thenItsOffsetsAndClean() throws Exception {
    Path dir = GlobalStoreOffsets.storeDir(appDir, "cache");
    write(dir, Map.of("llm.cache-0", 7L, "llm.cache-11", 0L, "status", 0L, "position", 3L));

    GlobalStoreOffsets read = GlobalStoreOffsets.read(dir).orElseThrow();

    assertThat(read.offsets())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                new TopicPartition("llm.cache", 0), 7L, new TopicPartition("llm.cache", 11), 0L));
    assertThat(read.closedCleanly()).isTrue();
    assertThat(dir).isEqualTo(appDir.resolve("global/rocksdb/cache"));
  }

  @Test
  void givenAStoreStillMarkedOpen_whenRead_thenNotClosedCleanly() throws Exception {
    Path dir = GlobalStoreOffsets.storeDir(appDir, "cache");
    write(dir, Map.of("llm.cache-2", 5L, "status", 1L));

    assertThat(GlobalStoreOffsets.read(dir).orElseThrow().closedCleanly()).isFalse();
  }

  @Test
  void givenKeys_whenParsed_thenTopicAndPartitionOrNull() {
    assertThat(GlobalStoreOffsets.partition("my-topic-12"))
        .isEqualTo(new TopicPartition("my-topic", 12));
    assertThat(GlobalStoreOffsets.partition("status")).isNull();
    assertThat(GlobalStoreOffsets.partition("topic-")).isNull();
    assertThat(GlobalStoreOffsets.partition("topic-x")).isNull();
  }

  private static void write(Path dir, Map<String, Long> offsets) throws Exception {
    RocksDB.loadLibrary();
    java.nio.file.Files.createDirectories(dir);
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (ColumnFamilyOptions familyOptions = new ColumnFamilyOptions();
        DBOptions options =
            new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        RocksDB db =
            RocksDB.open(
                options,
                dir.toString(),
                List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions),
                    new ColumnFamilyDescriptor(
                        "offsets".getBytes(StandardCharsets.UTF_8), familyOptions)),
                handles)) {
      db.put(handles.get(0), "k".getBytes(StandardCharsets.UTF_8), new byte[] {1});
      for (Map.Entry<String, Long> e : offsets.entrySet()) {
        db.put(
            handles.get(1),
            e.getKey().getBytes(StandardCharsets.UTF_8),
            ByteBuffer.allocate(8).putLong(e.getValue()).array());
      }
      handles.forEach(ColumnFamilyHandle::close);
    }
  }
}
