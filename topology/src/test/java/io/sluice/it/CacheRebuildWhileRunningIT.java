package io.sluice.it;

import static io.sluice.it.CacheGateway.CACHE;
import static io.sluice.it.CacheGateway.assertAnswersAndCaches;
import static io.sluice.it.CacheGateway.cacheAnswers;
import static io.sluice.it.CacheGateway.config;
import static io.sluice.it.CacheGateway.rebuilt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.SluiceApp;
import io.sluice.config.SluiceConfig;
import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.kafka.TopicSetup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The response cache's global consumer falls out of its topic's range while the gateway runs: Kafka
 * Streams stops the client (a global thread cannot be replaced), the gateway starts a new one that
 * rebuilds the cache, and keeps answering.
 */
@Tag("integration")
class CacheRebuildWhileRunningIT {

  @Test
  void shouldRebuildTheCacheAndKeepAnsweringWhenItsTopicIsRecreatedWhileRunning(@TempDir Path dir)
      throws Exception {
    try (LlmSimulator sim = CacheGateway.simulator();
        EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral())) {
      String bootstrap = broker.bootstrapServers();
      SluiceConfig config = config(bootstrap, dir.resolve("state"), sim);
      try (SluiceApp app = Topics.startGateway(bootstrap, config)) {
        // Given a running gateway with answers in its cache
        cacheAnswers(app, bootstrap, 8);

        // When the cache topic is deleted and created again under it: the global consumer's
        // position is now past the new topic's end
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
          admin.deleteTopics(List.of(CACHE)).all().get(30, TimeUnit.SECONDS);
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> !admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(CACHE));
          TopicSetup.ensure(admin, TopicSetup.specs(config, null, null), Duration.ofSeconds(30));
        }

        // Then a new Kafka Streams client rebuilds the cache, and the gateway never stopped
        await()
            .atMost(Duration.ofSeconds(120))
            .until(
                () ->
                    rebuilt(app, "offset_out_of_range") == 1.0
                        && app.state() == KafkaStreams.State.RUNNING);
        assertAnswersAndCaches(app, bootstrap);
        assertThat(app.awaitStopped(0, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(app.fatalError()).isNull();
      }
    }
  }
}
