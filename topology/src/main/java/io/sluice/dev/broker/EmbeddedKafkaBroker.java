package io.sluice.dev.broker;

import io.sluice.dev.TempDir;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft broker (combined broker and controller) in this JVM, on 127.0.0.1, for {@code
 * sluice broker}, {@code sluice dev} and integration tests.
 *
 * <p>Settings fit one node: every internal topic has one replica and one partition (so the first
 * group join and the first transaction are fast, and exactly-once works). Given a data directory,
 * the broker formats it once with a fixed cluster id and restarts on its own data; without one, a
 * temporary directory is used and deleted on close, with a random cluster id.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  /**
   * The cluster id of a broker with a data directory: fixed, so that a data directory formatted by
   * one run is accepted by the next. A temporary broker gets a random one, as a real new cluster
   * would: local state left by an earlier temporary broker is then recognised as another cluster's.
   */
  public static final String CLUSTER_ID = "U2x1aWNlRGV2Q2x1c3Rlcg";

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int NODE_ID = 1;

  /** How to start: the client port (0 for a free one), the data directory (null: temporary). */
  public record Options(int port, Path dataDir, Map<String, String> overrides) {
    public static Options ephemeral() {
      return new Options(0, null, Map.of());
    }
  }

  private final KafkaRaftServer server;
  private final Path logDir;
  private final boolean temporary;
  private final int port;

  private EmbeddedKafkaBroker(Options options) throws IOException {
    this.temporary = options.dataDir() == null;
    Path dataDir =
        temporary ? Files.createTempDirectory("sluice-kafka-") : options.dataDir().toAbsolutePath();
    this.logDir = dataDir.resolve("kafka");
    Files.createDirectories(logDir);
    this.port = options.port() > 0 ? options.port() : freePort();
    int controllerPort = freePort();
    Properties props = config(port, controllerPort, logDir);
    options.overrides().forEach(props::setProperty);
    KafkaConfig config = new KafkaConfig(props, false);
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(config, temporary ? Uuid.randomUuid().toString() : CLUSTER_ID);
    }
    this.server = new KafkaRaftServer(config, Time.SYSTEM);
  }

  /** Starts a broker and waits until it answers metadata requests. */
  public static EmbeddedKafkaBroker start(Options options) throws IOException {
    EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(options);
    try {
      broker.server.startup();
      broker.awaitReady(Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  private static Properties config(int port, int controllerPort, Path logDir) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", String.valueOf(NODE_ID));
    p.setProperty("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    p.setProperty(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", logDir.toString());
    p.setProperty("num.partitions", "1");
    p.setProperty("offsets.topic.num.partitions", "1");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    p.setProperty("delete.topic.enable", "true");
    return p;
  }

  private static void format(KafkaConfig config, String clusterId) throws IOException {
    Formatter formatter =
        new Formatter()
            .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
            .setNodeId(NODE_ID)
            .setClusterId(clusterId)
            .setControllerListenerName("CONTROLLER")
            .setMetadataLogDirectory(config.metadataLogDir())
            .setDirectories(List.of(config.logDirs().get(0)))
            .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION);
    try {
      formatter.run();
    } catch (Exception e) {
      throw new IOException("cannot format the broker's data directory: " + e.getMessage(), e);
    }
  }

  private void awaitReady(Duration timeout) {
    Properties p = new Properties();
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(p)) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("broker not ready after " + timeout, e);
          }
          log.debug("broker not ready yet: {}", e.toString());
        }
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  /** {@code 127.0.0.1:port}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Where the broker keeps its logs and metadata. */
  public Path logDir() {
    return logDir;
  }

  @Override
  public void close() {
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      if (temporary) {
        TempDir.deleteRecursively(logDir.getParent());
      }
    }
  }
}
