package io.sluice.semantic;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.Durations;
import io.sluice.config.SemanticSection;
import io.sluice.config.SluiceConfig;
import io.sluice.dispatch.CompletionSink;
import io.sluice.dispatch.Dispatcher;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The semantic cache of one instance, started from config: the embedding model, the index, its feed
 * from the semantic topic, and the dispatcher in front of the providers. Off (the providers'
 * dispatcher as it is) unless {@code cache.enabled}, {@code cache.semantic.enabled} and at least
 * one alias in {@code cache.semantic.models}.
 */
public final class SemanticCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SemanticCache.class);

  private final Dispatcher dispatcher;
  private final IndexFeed feed;

  private SemanticCache(Dispatcher dispatcher, IndexFeed feed) {
    this.dispatcher = dispatcher;
    this.feed = feed;
  }

  /** The aliases that use the semantic cache (empty when it is off). */
  public static Set<String> models(SluiceConfig config) {
    SemanticSection s = config.cache().semantic();
    return config.cache().enabled() && s.enabled() ? Set.copyOf(s.models()) : Set.of();
  }

  public static SemanticCache start(
      SluiceConfig config,
      Properties clientProps,
      Dispatcher providers,
      CompletionSink completions,
      MeterRegistry registry) {
    if (models(config).isEmpty()) {
      return new SemanticCache(providers, null);
    }
    SemanticSettings settings =
        SemanticSettings.from(
            config.cache().semantic(), Durations.parse(config.cache().ttl(), "cache.ttl"));
    long start = System.nanoTime();
    Embedder embedder = new MiniLmEmbedder();
    embedder.embed("warm up"); // loads the ONNX session before the first request needs it
    SemanticIndex index = new SemanticIndex(settings.maxEntries(), settings.ttl().toMillis());
    IndexFeed feed = new IndexFeed(clientProps, config.topicNames().get("semantic"), index);
    log.info(
        "semantic cache on for {} (threshold {}, model loaded in {} ms)",
        models(config),
        settings.threshold(),
        (System.nanoTime() - start) / 1_000_000);
    return new SemanticCache(
        new SemanticDispatcher(
            providers, embedder, index, settings, completions, feed.sink(), registry),
        feed);
  }

  /** The dispatcher the session processors hand jobs to. */
  public Supplier<Dispatcher> dispatcher() {
    return () -> dispatcher;
  }

  @Override
  public void close() {
    if (feed != null) {
      dispatcher.close();
      feed.close();
    }
  }
}
