package io.sluice.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A temporary directory, deleted with everything in it on {@link #close()}. */
public record TempDir(Path path) implements AutoCloseable {
  /** A new directory under the OS temp directory. */
  public static TempDir create(String prefix) throws IOException {
    return new TempDir(Files.createTempDirectory(prefix));
  }

  /**
   * A new directory for Kafka Streams state, under {@code ~/.sluice/tmp}: Kafka Streams warns at
   * every start about a state directory under the OS temp directory (which the OS may clear under
   * it). Falls back to the OS temp directory when the home directory cannot be written.
   */
  public static TempDir createForState(String prefix) throws IOException {
    try {
      return new TempDir(Files.createTempDirectory(Files.createDirectories(stateParent()), prefix));
    } catch (IOException | SecurityException e) {
      return create(prefix);
    }
  }

  /** Where {@link #createForState} makes its directories. */
  public static Path stateParent() {
    return Path.of(System.getProperty("user.home"), ".sluice", "tmp");
  }

  @Override
  public void close() {
    deleteRecursively(path);
  }

  /** Deletes {@code dir} and what it holds; a missing directory is not an error. */
  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
