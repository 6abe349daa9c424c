package io.sluice.app;

import io.sluice.admission.AdmissionSettings;
import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import io.sluice.kafka.TopicSetup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * Start-up checks of the admission stage's topics (after {@link TopicCheck}): the usage topic must
 * have as many partitions as the requests topic, since the stage's repartition topics take the
 * usage topic's count (a tenant's requests, usage and releases meet in one task) and the session
 * processor's input keeps the requests topic's; creates the releases topic with that count.
 */
final class AdmissionTopics {
  private AdmissionTopics() {}

  /** The partitions of the admission stage's topics, or 1 when the stage is off. */
  static int ensure(Properties clientProps, SluiceConfig config) throws Exception {
    if (!config.admissionEnabled()) {
      return 1;
    }
    Map<String, String> names = config.topicNames();
    String requests = names.get("requests");
    String usage = names.get("usage");
    String releases = AdmissionSettings.releasesTopic(config.kafka().applicationId());
    try (Admin admin = Admin.create(clientProps)) {
      int r = partitionsOf(admin, requests);
      int u = partitionsOf(admin, usage);
      if (u != r) {
        throw new ConfigException(
            "topic "
                + usage
                + " has "
                + u
                + " partitions but "
                + requests
                + " has "
                + r
                + "; with tenant limits (admission.limits) they must match");
      }
      TopicSetup.ensure(
          admin,
          List.of(
              new TopicSetup.TopicSpec(
                  releases,
                  u,
                  Optional.ofNullable(config.topics().replicationFactor()),
                  Map.of("retention.ms", String.valueOf(Duration.ofDays(1).toMillis())))),
          Duration.ofSeconds(30));
      int rel = partitionsOf(admin, releases);
      if (rel != u) {
        throw new ConfigException(
            "topic "
                + releases
                + " has "
                + rel
                + " partitions but "
                + usage
                + " has "
                + u
                + "; delete "
                + releases
                + " while the gateway is stopped (it is recreated at start-up)");
      }
      return u;
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
