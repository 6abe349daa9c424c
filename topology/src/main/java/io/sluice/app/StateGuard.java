package io.sluice.app;

import io.sluice.config.SluiceConfig;
import io.sluice.metrics.GatewayMetrics;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before each start of Kafka Streams, that the local state still belongs to the cluster and
 * topics it was written against, and wipes what cannot be valid, so that Kafka Streams never starts
 * on it. Kafka Streams 4.3 does not check this itself: a global store whose offsets lie beyond its
 * topic's end fails at the first poll (the global thread dies, the client stops) and one whose
 * offsets lie before the log start fails the start; either way it wipes the store only after
 * failing.
 *
 * <ul>
 *   <li>State written against another cluster (the marker's cluster id differs): all local state is
 *       wiped with {@link KafkaStreams#cleanUp()}; the task stores restore from their changelogs
 *       and the cache from its topic.
 *   <li>The response cache's global store, when its topic was recreated (another topic id), its
 *       offsets lie outside the topic's earliest..latest range, or, under exactly-once, it was not
 *       closed cleanly: its directory is deleted, and Kafka Streams rebuilds it from the topic.
 * </ul>
 *
 * Each wipe is a WARN line and a count in {@code sluice_state_rebuilt_total{store,reason}}.
 */
final class StateGuard {
  private static final Logger log = LoggerFactory.getLogger(StateGuard.class);
  static final String CACHE_STORE = "cache";

  private final Properties clientProps;
  private final String clusterId;
  private final Path stateDir;
  private final String applicationId;
  private final String cacheTopic;
  private final boolean exactlyOnce;
  private final GatewayMetrics metrics;

  private StateGuard(
      Properties clientProps, String clusterId, SluiceConfig config, GatewayMetrics metrics) {
    this.clientProps = clientProps;
    this.clusterId = clusterId;
    this.stateDir = StateLocation.resolve(config.kafka().stateDir(), clusterId);
    this.applicationId = config.kafka().applicationId();
    this.cacheTopic = config.cache().enabled() ? config.topicNames().get("cache") : null;
    this.exactlyOnce = config.kafka().processingGuarantee().startsWith("exactly_once");
    this.metrics = metrics;
  }

  /** Asks the cluster for its id and resolves the state directory. */
  static StateGuard connect(Properties clientProps, SluiceConfig config, GatewayMetrics metrics)
      throws Exception {
    try (Admin admin = Admin.create(clientProps)) {
      String clusterId = admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
      return new StateGuard(clientProps, clusterId, config, metrics);
    }
  }

  /** The state directory to give Kafka Streams ({@code state.dir}). */
  Path stateDir() {
    return stateDir;
  }

  /** Call with {@code streams} created and not yet started; then writes the marker. */
  void check(KafkaStreams streams) throws Exception {
    Path appDir = stateDir.resolve(applicationId);
    Optional<StateMarker> marker = StateMarker.read(appDir);
    String topicId;
    try (Admin admin = Admin.create(clientProps)) {
      TopicDescription cache = cacheTopic == null ? null : describe(admin, cacheTopic);
      topicId = cache == null ? null : cache.topicId().toString();
      if (marker.isPresent() && !marker.get().clusterId().equals(clusterId)) {
        log.warn(
            "local state in {} was written against Kafka cluster {}, but this is cluster {}:"
                + " wiping it (KafkaStreams#cleanUp); the stores are restored from this cluster's"
                + " topics",
            appDir,
            marker.get().clusterId(),
            clusterId);
        streams.cleanUp();
        metrics.stateRebuilt("tasks", GatewayMetrics.REBUILT_OTHER_CLUSTER);
        if (cache != null) {
          metrics.stateRebuilt(CACHE_STORE, GatewayMetrics.REBUILT_OTHER_CLUSTER);
        }
      } else if (cache != null) {
        checkCache(admin, appDir, cache, marker.map(StateMarker::cacheTopicId).orElse(null));
      }
    }
    new StateMarker(clusterId, topicId).write(appDir);
  }

  private void checkCache(Admin admin, Path appDir, TopicDescription topic, String knownTopicId)
      throws Exception {
    Optional<GlobalStoreOffsets> stored;
    try {
      stored = GlobalStoreOffsets.read(GlobalStoreOffsets.storeDir(appDir, CACHE_STORE));
    } catch (RocksDBException e) {
      // Kafka Streams would fail to open it too, and under at-least-once never delete it
      rebuild(appDir, GatewayMetrics.REBUILT_UNREADABLE, "it cannot be read (" + e + ")");
      return;
    }
    if (stored.isEmpty()) {
      return; // nothing on disk (first start, or already wiped): Kafka Streams builds it anew
    }
    String topicId = topic.topicId().toString();
    String reason;
    String why;
    if (knownTopicId != null && !knownTopicId.equals(topicId)) {
      reason = GatewayMetrics.REBUILT_TOPIC_RECREATED;
      why = "topic " + cacheTopic + " was recreated (id " + knownTopicId + ", now " + topicId + ")";
    } else if (exactlyOnce && !stored.get().closedCleanly()) {
      reason = GatewayMetrics.REBUILT_UNCLEAN_SHUTDOWN;
      why = "it was not closed cleanly, and under exactly-once it may hold uncommitted entries";
    } else {
      why = outOfRange(admin, topic, stored.get().offsets());
      reason = why == null ? null : GatewayMetrics.REBUILT_OFFSET_OUT_OF_RANGE;
    }
    if (reason != null) {
      rebuild(appDir, reason, why);
    }
  }

  private void rebuild(Path appDir, String reason, String why) throws java.io.IOException {
    log.warn(
        "the response cache's local copy in {} cannot be used: {}; deleting it, it is rebuilt"
            + " from {}",
        appDir.resolve("global"),
        why,
        cacheTopic);
    deleteCache();
    metrics.stateRebuilt(CACHE_STORE, reason);
  }

  /**
   * Deletes the global state directory, which holds only the response cache: it is a copy of its
   * topic, rebuilt by the next start. Only while no Kafka Streams client of this application runs.
   */
  void deleteCache() throws java.io.IOException {
    Utils.delete(stateDir.resolve(applicationId).resolve("global").toFile());
  }

  /** Why the stored offsets cannot be positions in {@code topic} now, or null when they can. */
  private String outOfRange(Admin admin, TopicDescription topic, Map<TopicPartition, Long> stored)
      throws Exception {
    Set<TopicPartition> partitions =
        topic.partitions().stream()
            .map(p -> new TopicPartition(topic.name(), p.partition()))
            .collect(Collectors.toSet());
    Map<TopicPartition, Long> mine = new HashMap<>();
    stored.forEach(
        (tp, offset) -> {
          if (tp.topic().equals(topic.name())) {
            mine.put(tp, offset);
          }
        });
    for (TopicPartition tp : mine.keySet()) {
      if (!partitions.contains(tp)) {
        return "partition " + tp + " no longer exists";
      }
    }
    if (mine.isEmpty()) {
      return null;
    }
    Map<TopicPartition, ListOffsetsResultInfo> earliest =
        offsets(admin, mine, OffsetSpec.earliest());
    Map<TopicPartition, ListOffsetsResultInfo> latest = offsets(admin, mine, OffsetSpec.latest());
    for (Map.Entry<TopicPartition, Long> e : mine.entrySet()) {
      long from = earliest.get(e.getKey()).offset();
      long to = latest.get(e.getKey()).offset();
      if (e.getValue() < from || e.getValue() > to) {
        return "its offset "
            + e.getValue()
            + " in "
            + e.getKey()
            + " is outside the topic's range "
            + from
            + ".."
            + to;
      }
    }
    return null;
  }

  private static Map<TopicPartition, ListOffsetsResultInfo> offsets(
      Admin admin, Map<TopicPartition, Long> partitions, OffsetSpec spec) throws Exception {
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    partitions.keySet().forEach(tp -> ask.put(tp, spec));
    return admin.listOffsets(ask).all().get(30, TimeUnit.SECONDS);
  }

  private static TopicDescription describe(Admin admin, String topic) throws Exception {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(30, TimeUnit.SECONDS)
        .get(topic);
  }
}
