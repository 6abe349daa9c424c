package io.sluice.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the gateway keeps its local state. {@code kafka.state_dir} when set; otherwise {@code
 * ~/.sluice/state/<cluster id>}, so that runs against different clusters (a fresh dev broker, a
 * staging and a production cluster from one laptop) never share a directory. Kafka Streams appends
 * the application id itself: the stores live in {@code <state dir>/<application id>/}.
 *
 * <p>The default is under the home directory, not the OS temp directory: a temp directory may be
 * cleared under a running instance (Kafka Streams warns about it at every start), and a state
 * directory that vanishes costs a full restore from the changelogs. When the home directory cannot
 * be written (a container without one), the OS temp directory is the fallback, with a warning.
 */
public final class StateLocation {
  private static final Logger log = LoggerFactory.getLogger(StateLocation.class);

  private StateLocation() {}

  /** The state directory: {@code configured} when set, else the default for {@code clusterId}. */
  public static Path resolve(String configured, String clusterId) {
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    String cluster = clusterId.replaceAll("[^A-Za-z0-9_-]", "_");
    Path home = Path.of(System.getProperty("user.home"), ".sluice", "state");
    try {
      Files.createDirectories(home);
      if (Files.isWritable(home)) {
        return home.resolve(cluster);
      }
    } catch (IOException | SecurityException e) {
      // fall through to the temp directory
    }
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "sluice-state", cluster);
    log.warn(
        "cannot write {}: keeping local state in {} instead; set kafka.state_dir to a persistent"
            + " directory",
        home,
        tmp);
    return tmp;
  }
}
