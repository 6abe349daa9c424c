package io.sluice.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Blocks the main thread of a long-running command until the JVM is asked to stop (Ctrl-C,
 * SIGTERM). Declare it first in a try-with-resources: the resources after it close before it does,
 * and the JVM waits for that before it exits.
 */
final class ShutdownLatch implements AutoCloseable {
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread hook;

  ShutdownLatch() {
    hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                closed.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "sluice-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Waits for the stop signal. */
  void await() throws InterruptedException {
    stop.await();
  }

  /** Waits for the stop signal at most this long; true if it came. */
  boolean await(long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException {
    return stop.await(timeout, unit);
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running: it returns now that closed is counted down
    }
  }
}
