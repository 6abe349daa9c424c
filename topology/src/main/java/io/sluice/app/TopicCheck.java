package io.sluice.app;

import io.sluice.bounds.KafkaLimits;
import io.sluice.bounds.RecordLimits;
import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import io.sluice.kafka.TopicSetup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

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
      KafkaLimits.verifyTopics(admin, names.values(), RecordLimits.from(config));
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
