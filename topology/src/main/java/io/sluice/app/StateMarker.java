package io.sluice.app;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * Which cluster, and which incarnation of the cache topic, an application's local state was written
 * against: {@code sluice-state.properties} in {@code <state dir>/<application id>/}, next to Kafka
 * Streams' own files. Written before every start, read at the next one; a state directory without
 * it (first start) is judged by its offsets alone.
 *
 * @param clusterId the Kafka cluster id
 * @param cacheTopicId the cache topic's id, or null when the cache is disabled
 */
record StateMarker(String clusterId, String cacheTopicId) {
  static final String FILE = "sluice-state.properties";

  static Optional<StateMarker> read(Path appDir) throws IOException {
    Path file = appDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    String cluster = p.getProperty("cluster.id");
    return cluster == null
        ? Optional.empty()
        : Optional.of(new StateMarker(cluster, p.getProperty("cache.topic.id")));
  }

  /** Writes the marker atomically (a crash leaves the old one or the new one, never half). */
  void write(Path appDir) throws IOException {
    Files.createDirectories(appDir);
    Properties p = new Properties();
    p.setProperty("cluster.id", clusterId);
    if (cacheTopicId != null) {
      p.setProperty("cache.topic.id", cacheTopicId);
    }
    Path tmp = appDir.resolve(FILE + ".tmp");
    try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(out, "written by Sluice at start: the cluster this local state belongs to");
    }
    Files.move(
        tmp,
        appDir.resolve(FILE),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }
}
