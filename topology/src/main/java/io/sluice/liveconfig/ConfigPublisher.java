package io.sluice.liveconfig;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigTrees;
import io.sluice.config.SluiceConfig;
import io.sluice.kafka.TopicSetup;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code sluice config apply}: validates a file as {@code sluice run} would and publishes its live
 * sections to {@code llm.config} as the next version. Nothing is published when the file does not
 * validate. Two applies at the same moment may both take the same next number; the later record of
 * that version wins on every instance that has not yet applied the first.
 */
public final class ConfigPublisher {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** What was published: the version, or the version in force when the file changed nothing. */
  public record Result(ConfigVersion version, boolean unchanged) {}

  private ConfigPublisher() {}

  /**
   * Validates {@code file} and publishes its live sections.
   *
   * @param client Kafka client properties (bootstrap servers included)
   * @throws ConfigException when the file does not validate (nothing is published)
   */
  public static Result apply(Path file, SluiceConfig config, Properties client, Clock clock)
      throws Exception {
    ObjectNode sections = LiveSections.of(ConfigTrees.raw(file));
    String digest = LiveSections.digest(sections);
    String topic = ConfigTopic.name(config);
    try (Admin admin = Admin.create(client)) {
      TopicSetup.ensure(
          admin,
          TopicSetup.specs(config, null, null).stream()
              .filter(s -> s.name().equals(topic))
              .toList(),
          TIMEOUT);
    }
    List<ConfigVersion> versions = ConfigTopic.versions(client, topic, TIMEOUT);
    ConfigVersion latest = versions.isEmpty() ? null : versions.get(versions.size() - 1);
    if (latest != null && latest.digest().equals(digest)) {
      return new Result(latest, true);
    }
    long next = latest == null ? 1 : latest.version() + 1;
    ConfigVersion v =
        new ConfigVersion(next, clock.millis(), who(), file.toString(), digest, sections);
    byte[] value = v.toJson();
    long max = config.kafka().maxRecordBytes();
    if (value.length > max) {
      throw new ConfigException(
          file
              + ": its live sections take "
              + value.length
              + " bytes as a record, more than kafka.max_record_bytes ("
              + max
              + ")");
    }
    Properties p = new Properties();
    p.putAll(client);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(Math.max(max + 4096, 1 << 20)));
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(topic, 0, ConfigVersion.key(next), value))
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
    return new Result(v, false);
  }

  /** {@code user@host}, as cheaply as the JVM knows it. */
  static String who() {
    String user = System.getProperty("user.name", "unknown");
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        host = "unknown";
      }
    }
    return user + "@" + host;
  }
}
