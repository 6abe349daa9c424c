package io.sluice.app;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Reads, with the store closed, the offsets a persistent global store was last committed at.
 *
 * <p>Since Kafka Streams 4.3 (KIP-1035) a RocksDB store keeps its changelog offsets in its own
 * {@code offsets} column family, no longer in a {@code .checkpoint} file (an old file is migrated
 * into the store at the first start): key {@code "<topic>-<partition>"} in UTF-8, value the offset
 * as an 8-byte big-endian long; the key {@code "status"} is 1 while the store is open and 0 once it
 * was closed cleanly, and {@code "position"} holds the store's query position. The database is
 * opened read-only, so nothing here changes the store.
 *
 * @param offsets the committed offset of each source partition
 * @param closedCleanly false when the store was still open (a crash, {@code kill -9}): under
 *     exactly-once Kafka Streams then wipes the global store and fails the start
 */
record GlobalStoreOffsets(Map<TopicPartition, Long> offsets, boolean closedCleanly) {
  private static final byte[] OFFSETS_FAMILY = "offsets".getBytes(StandardCharsets.UTF_8);
  private static final String STATUS = "status";
  private static final String POSITION = "position";

  /** The global store {@code store}'s directory under the application's state directory. */
  static Path storeDir(Path appDir, String store) {
    return appDir.resolve("global").resolve("rocksdb").resolve(store);
  }

  /** The store's offsets, or empty when there is no store (or no offsets) on disk. */
  static Optional<GlobalStoreOffsets> read(Path storeDir) throws RocksDBException {
    if (!Files.isDirectory(storeDir) || !Files.exists(storeDir.resolve("CURRENT"))) {
      return Optional.empty();
    }
    RocksDB.loadLibrary();
    String path = storeDir.toString();
    List<byte[]> families;
    try (Options options = new Options()) {
      families = RocksDB.listColumnFamilies(options, path);
    }
    int offsetsIndex = -1;
    for (int i = 0; i < families.size(); i++) {
      if (Arrays.equals(families.get(i), OFFSETS_FAMILY)) {
        offsetsIndex = i;
      }
    }
    if (offsetsIndex < 0) {
      return Optional.empty();
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (ColumnFamilyOptions familyOptions = new ColumnFamilyOptions();
        DBOptions options = new DBOptions();
        RocksDB db =
            RocksDB.openReadOnly(
                options,
                path,
                families.stream().map(f -> new ColumnFamilyDescriptor(f, familyOptions)).toList(),
                handles)) {
      try (RocksIterator it = db.newIterator(handles.get(offsetsIndex))) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        boolean open = false;
        for (it.seekToFirst(); it.isValid(); it.next()) {
          String key = new String(it.key(), StandardCharsets.UTF_8);
          if (key.equals(STATUS)) {
            open = it.value().length == 8 && ByteBuffer.wrap(it.value()).getLong() != 0;
          } else if (!key.equals(POSITION) && it.value().length == 8) {
            TopicPartition tp = partition(key);
            if (tp != null) {
              offsets.put(tp, ByteBuffer.wrap(it.value()).getLong());
            }
          }
        }
        return Optional.of(new GlobalStoreOffsets(Map.copyOf(offsets), !open));
      } finally {
        handles.forEach(ColumnFamilyHandle::close);
      }
    }
  }

  /** {@code "llm.cache-4"} as a partition; null when it does not end in a partition number. */
  static TopicPartition partition(String key) {
    int dash = key.lastIndexOf('-');
    if (dash <= 0 || dash == key.length() - 1) {
      return null;
    }
    try {
      return new TopicPartition(key.substring(0, dash), Integer.parseInt(key.substring(dash + 1)));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
