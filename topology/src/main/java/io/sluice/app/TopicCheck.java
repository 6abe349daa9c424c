package io.sluice.app;

import io.sluice.bounds.RecordLimits;
import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import io.sluice.kafka.TopicSetup;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Makes sure the gateway's topics exist before Kafka Streams starts: creates the missing ones (as
 * {@code sluice topics} would, with as many partitions as the requests topic has) and checks that
 * the completions topic matches the requests topic's partition count, since a completion goes back
 * to the partition of the task that dispatched it.
 */
final class TopicCheck {
  private TopicCheck() {}

  static void ensure(Properties clientProps, SluiceConfig config) throws Exception {
    Map<String, String> names = config.topicNames();
    String requests = names.get("requests");
    String completions = names.get("completions");
    try (Admin admin = Admin.create(clientProps)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      Integer partitions = existing.contains(requests) ? partitionsOf(admin, requests) : null;
      TopicSetup.ensure(admin, TopicSetup.specs(config, partitions, null), Duration.ofSeconds(30));
      int r = partitionsOf(admin, requests);
      int c = partitionsOf(admin, completions);
      if (c != r) {
        throw new ConfigException(
            "topic "
                + completions
                + " has "
                + c
                + " partitions but "
                + requests
                + " has "
                + r
                + "; they must match (delete "
                + completions
                + " while the gateway is stopped, or name another"
                + " with topics.completions)");
      }
      checkMessageSizes(admin, names.values(), RecordLimits.from(config).producerMaxRequestSize());
    }
  }

  /**
   * Every topic Sluice writes must take its largest record: a topic created before, or by hand,
   * with a smaller {@code max.message.bytes} would refuse it at the broker, which no bound in the
   * gateway can prevent.
   */
  private static void checkMessageSizes(Admin admin, Collection<String> topics, long needed)
      throws Exception {
    List<ConfigResource> resources =
        topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, Config> configs =
        admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
    for (Map.Entry<ConfigResource, Config> e : configs.entrySet()) {
      ConfigEntry max = e.getValue().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      if (max != null && max.value() != null && Long.parseLong(max.value()) < needed) {
        throw new ConfigException(
            "topic "
                + e.getKey().name()
                + " has max.message.bytes="
                + max.value()
                + " but kafka.max_record_bytes needs "
                + needed
                + "; raise it (kafka-configs --alter --entity-type topics --entity-name "
                + e.getKey().name()
                + " --add-config max.message.bytes="
                + needed
                + ") or lower kafka.max_record_bytes");
      }
    }
  }

  private static int partitionsOf(Admin admin, String topic) throws Exception {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(30, TimeUnit.SECONDS)
        .get(topic)
        .partitions()
        .size();
  }
}
