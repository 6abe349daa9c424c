package io.sluice.kafka;

import io.sluice.bounds.KafkaLimits;
import io.sluice.bounds.RecordLimits;
import io.sluice.config.SluiceConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates Sluice's topics with sane configs; idempotent. */
public final class TopicSetup {
  private TopicSetup() {}

  /** A topic to create: partitions, replication factor (empty: broker default) and configs. */
  public record TopicSpec(
      String name, int partitions, Optional<Short> replication, Map<String, String> configs) {}

  /** The result: which topics were created and which already existed. */
  public record Outcome(List<String> created, List<String> existing) {}

  /**
   * Every topic of the contract, named from the config: {@code partitionsOverride} (or {@code
   * topics.partitions}) partitions each, except the reply topic's {@code topics.reply_partitions}.
   */
  public static List<TopicSpec> specs(
      SluiceConfig config, Integer partitionsOverride, Short rfOverride) {
    Map<String, String> names = config.topicNames();
    int partitions = partitionsOverride != null ? partitionsOverride : config.topics().partitions();
    Optional<Short> rf =
        Optional.ofNullable(rfOverride != null ? rfOverride : config.topics().replicationFactor());
    Map<String, Map<String, String>> configs = new LinkedHashMap<>();
    long week = Duration.ofDays(7).toMillis();
    configs.put("requests", Map.of("retention.ms", String.valueOf(week)));
    configs.put("responses", Map.of("retention.ms", String.valueOf(week)));
    configs.put("traces", Map.of("retention.ms", String.valueOf(week)));
    configs.put("usage", Map.of("retention.ms", String.valueOf(Duration.ofDays(30).toMillis())));
    configs.put("tool-calls", Map.of("retention.ms", String.valueOf(week)));
    configs.put("tool-results", Map.of("retention.ms", String.valueOf(week)));
    configs.put("dlq", Map.of("retention.ms", String.valueOf(Duration.ofDays(30).toMillis())));
    configs.put(
        "cache",
        Map.of(
            "cleanup.policy",
            "compact,delete",
            "retention.ms",
            String.valueOf(
                Math.max(
                    Duration.ofHours(1).toMillis(),
                    io.sluice.config.Durations.parse(config.cache().ttl(), "cache.ttl")
                        .toMillis()))));
    configs.put(
        "completions", Map.of("retention.ms", String.valueOf(Duration.ofDays(1).toMillis())));
    // answers wait here only for a front door (or client) that is reading now: an hour is plenty
    configs.put("replies", Map.of("retention.ms", String.valueOf(Duration.ofHours(1).toMillis())));
    // virtual keys (sluice keys): compacted, forever; few and small, so one partition
    configs.put("keys", Map.of("cleanup.policy", "compact", "retention.ms", "-1"));
    Map<String, String> sized = KafkaLimits.topicConfig(RecordLimits.from(config));
    List<TopicSpec> specs = new ArrayList<>();
    configs.forEach(
        (key, cfg) -> {
          Map<String, String> all = new LinkedHashMap<>(cfg);
          all.putAll(sized);
          // reply partitions are owned by front-door instances, not by tasks: a count of their own
          int n =
              key.equals("replies")
                  ? config.topics().replyPartitions()
                  : key.equals("keys") ? 1 : partitions;
          specs.add(new TopicSpec(names.get(key), n, rf, all));
        });
    // the other reply topics requests may name (topics.reply_topics): as the reply topic
    Map<String, String> reply = new LinkedHashMap<>(configs.get("replies"));
    reply.putAll(sized);
    for (String extra : config.topics().replyTopics()) {
      if (!extra.equals(names.get("replies"))) {
        specs.add(new TopicSpec(extra, config.topics().replyPartitions(), rf, reply));
      }
    }
    return specs;
  }

  /** Creates what is missing, then waits until every partition has a leader. */
  public static Outcome ensure(Admin admin, List<TopicSpec> specs, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<String> created = new ArrayList<>();
    List<String> existing = new ArrayList<>();
    List<NewTopic> topics = new ArrayList<>();
    for (TopicSpec s : specs) {
      topics.add(
          new NewTopic(s.name(), Optional.of(s.partitions()), s.replication())
              .configs(s.configs()));
    }
    var results = admin.createTopics(topics).values();
    for (TopicSpec s : specs) {
      try {
        results.get(s.name()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        created.add(s.name());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TopicExistsException) {
          existing.add(s.name());
        } else {
          throw e;
        }
      }
    }
    awaitLeaders(admin, specs.stream().map(TopicSpec::name).toList(), timeout);
    return new Outcome(created, existing);
  }

  /** Waits until every partition of {@code topics} has a leader. */
  public static void awaitLeaders(Admin admin, List<String> topics, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean ready = true;
      try {
        Map<String, TopicDescription> d =
            admin
                .describeTopics(topics)
                .allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        for (TopicDescription td : d.values()) {
          if (td.partitions().stream().anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
            ready = false;
          }
        }
      } catch (ExecutionException e) {
        ready = false;
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      if (ready) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("partitions of " + topics + " have no leader after " + timeout);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
