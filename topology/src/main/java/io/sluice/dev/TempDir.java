package io.sluice.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A directory under the OS temp directory, deleted with everything in it on {@link #close()}. */
public record TempDir(Path path) implements AutoCloseable {
  public static TempDir create(String prefix) throws IOException {
    return new TempDir(Files.createTempDirectory(prefix));
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
