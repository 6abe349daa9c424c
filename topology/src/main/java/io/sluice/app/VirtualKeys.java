package io.sluice.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.SluiceConfig;
import io.sluice.keys.KeysReader;
import java.time.Duration;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's reader of {@code llm.keys}: the same plain consumer the front door runs (not a
 * global store: lookups are by the key's hash, which a store keyed by id cannot answer without a
 * scan, and the reader is the one piece of code both sides trust). Started before the streams, so
 * ingest knows the keys written before it.
 */
final class VirtualKeys {
  private static final Logger log = LoggerFactory.getLogger(VirtualKeys.class);
  private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(30);

  private VirtualKeys() {}

  static KeysReader start(Properties kafka, SluiceConfig config, MeterRegistry meters)
      throws InterruptedException {
    String topic = config.topicNames().get("keys");
    KeysReader keys = KeysReader.start(kafka, topic, "gateway");
    keys.bindTo(meters, "gateway");
    if (!keys.awaitCaughtUp(LOAD_TIMEOUT)) {
      log.warn("the virtual keys of {} are not all read after {}; going on", topic, LOAD_TIMEOUT);
    }
    return keys;
  }
}
