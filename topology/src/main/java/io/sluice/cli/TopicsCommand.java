package io.sluice.cli;

import io.sluice.bounds.KafkaLimits;
import io.sluice.bounds.RecordLimits;
import io.sluice.kafka.TopicSetup;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice topics}: creates every topic of the contract (idempotent). */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = "Creates Sluice's topics with sane configs; topics that exist are left alone.")
final class TopicsCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      description =
          "Partitions per topic (default: topics.partitions of the config, else 6); the reply"
              + " topic has topics.reply_partitions (16).")
  Integer partitions;

  @Option(
      names = "--replication-factor",
      paramLabel = "R",
      description = "Replicas per partition (default: the broker's default).")
  Short replicationFactor;

  @Override
  public Integer call() throws Exception {
    if (partitions != null && partitions < 1) {
      throw new IllegalArgumentException("--partitions must be at least 1");
    }
    try (Admin admin = Admin.create(client.kafkaProperties())) {
      TopicSetup.Outcome outcome =
          TopicSetup.ensure(
              admin,
              TopicSetup.specs(client.config(), partitions, replicationFactor),
              Duration.ofSeconds(30));
      outcome.created().forEach(t -> System.out.println("created  " + t));
      outcome.existing().forEach(t -> System.out.println("exists   " + t));
      // an existing topic keeps its configs: it must still take the largest record
      KafkaLimits.verifyTopics(admin, outcome.existing(), RecordLimits.from(client.config()));
    }
    return SluiceCli.OK;
  }
}
