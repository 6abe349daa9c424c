package io.sluice.cli;

import io.sluice.app.StateLocation;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.tools.StreamsResetter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice replay}: resets the gateway's input offsets and state so history is processed
 * again.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description =
        "Event replay: with every gateway instance stopped, resets the application's offsets on the requests topic (to the earliest record or to a time) with Kafka's streams reset tool, which also deletes its internal topics; skips the completions topic to its end; and clears this machine's local state. The next start processes the requests again.")
final class ReplayCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--to-earliest", description = "Replay every request still in the topic.")
    boolean earliest;

    @Option(
        names = "--to-datetime",
        paramLabel = "ISO",
        description = "Replay requests from this time on, e.g. 2026-11-26T12:00:00Z.")
    String datetime;
  }

  @Option(
      names = "--application-id",
      paramLabel = "ID",
      description = "The gateway's application id (default: the config's, else sluice).")
  String applicationId;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Local state directory to clear (default: the config's kafka.state_dir, else ~/.sluice/state/<cluster id>).")
  String stateDir;

  @Option(
      names = "--force",
      description =
          "Remove members still registered in the consumer group (only when you know every instance is stopped).")
  boolean force;

  @Override
  public Integer call() throws Exception {
    String appId = applicationId != null ? applicationId : client.config().kafka().applicationId();
    String requests = client.topicNames().get("requests");
    String completions =
        client.config().topics().completions() != null
            ? client.config().topics().completions()
            : appId + "-completions";
    String when = null;
    if (target.datetime != null) {
      try {
        when =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC)
                .format(Instant.parse(target.datetime));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "--to-datetime: '"
                + target.datetime
                + "' is not an ISO-8601 instant like 2026-11-26T12:00:00Z");
      }
    }
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--bootstrap-server", client.bootstrapServers(),
                "--application-id", appId,
                "--input-topics", requests));
    if (when != null) {
      args.addAll(List.of("--to-datetime", when));
    } else {
      args.add("--to-earliest");
    }
    if (force) {
      args.add("--force");
    }
    Properties props = client.kafkaProperties();
    props.remove("bootstrap.servers");
    int rc = new StreamsResetter().execute(args.toArray(String[]::new), props);
    if (rc != 0) {
      System.err.println(
          "sluice: the streams reset tool failed (is a gateway instance still running?)");
      return SluiceCli.FAILURE;
    }
    skipToEnd(appId, completions);
    clearLocalState(appId);
    System.out.println(
        "replay prepared: "
            + requests
            + " from "
            + (when != null ? target.datetime : "the earliest record")
            + "; start the gateway to process the requests again");
    return SluiceCli.OK;
  }

  /** Old completions must not answer replayed requests: the group starts at the end of them. */
  private void skipToEnd(String appId, String completions) throws Exception {
    try (Admin admin = Admin.create(client.kafkaProperties())) {
      var desc =
          admin.describeTopics(List.of(completions)).allTopicNames().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      desc.get(completions)
          .partitions()
          .forEach(
              p -> latest.put(new TopicPartition(completions, p.partition()), OffsetSpec.latest()));
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      admin
          .listOffsets(latest)
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach((tp, info) -> offsets.put(tp, new OffsetAndMetadata(info.offset())));
      admin.alterConsumerGroupOffsets(appId, offsets).all().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(e.getCause()
          instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
        throw e;
      }
    }
  }

  /** The cluster's id, which names the default state directory. */
  private String clusterId() throws java.io.IOException {
    try (Admin admin = Admin.create(client.kafkaProperties())) {
      return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new java.io.IOException("cannot ask the cluster for its id: " + e.getMessage(), e);
    }
  }

  /**
   * Deletes this machine's state directory of the application ({@code <state_dir>/<app_id>}), as
   * {@code KafkaStreams#cleanUp} would. A second KafkaStreams instance cannot do it here: Kafka
   * Streams 4 opens the existing task directories when it is constructed and then skips them. The
   * directory's {@code .lock} is taken first, so a running gateway's state is never touched.
   */
  private void clearLocalState(String appId) throws java.io.IOException {
    String configured = stateDir != null ? stateDir : client.config().kafka().stateDir();
    Path appDir =
        StateLocation.resolve(configured, configured != null ? null : clusterId()).resolve(appId);
    if (!Files.isDirectory(appDir)) {
      return;
    }
    Path lock = appDir.resolve(".lock");
    try (FileChannel channel =
            FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = channel.tryLock()) {
      if (held == null) {
        throw new IllegalStateException(
            "state directory " + appDir + " is in use: stop the gateway first");
      }
      try (Stream<Path> files = Files.walk(appDir)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          if (!f.equals(lock) && !f.equals(appDir)) {
            Files.delete(f);
          }
        }
      }
    }
    System.out.println("cleared local state in " + appDir);
  }
}
