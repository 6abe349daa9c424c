package io.sluice.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The bytes of the regular files under a directory: a gateway's state on disk. */
public final class StateSize {
  private StateSize() {}

  /** The size of every regular file under {@code dir}, 0 when it does not exist. */
  public static long bytes(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    for (int attempt = 1; ; attempt++) {
      try (Stream<Path> files = Files.walk(dir)) {
        return files.filter(Files::isRegularFile).mapToLong(StateSize::size).sum();
      } catch (IOException | UncheckedIOException e) {
        if (attempt == 3) { // RocksDB removed a directory while we walked, three times over
          throw e instanceof IOException io
              ? new UncheckedIOException(io)
              : (UncheckedIOException) e;
        }
      }
    }
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return 0; // a file RocksDB deleted while we walked
    }
  }
}
