package io.sluice.keys;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the compacted keys topic from its beginning into a {@link KeyTable} and follows it, on a
 * thread of its own (a plain consumer: every partition assigned, no group, nothing committed). Each
 * front door and each gateway instance runs one, so a revocation reaches all of them within one
 * poll ({@value #POLL_MS} ms) of its write. Only this thread writes the table; lookups never wait
 * on it.
 */
public final class KeysReader implements KeyLookup, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KeysReader.class);

  static final long POLL_MS = 200;
  private static final long RETRY_MS = 1_000;

  /** How often the reader asks the topic's end offsets, to know it is current. */
  private static final long CHECK_MS = 1_000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final List<TopicPartition> partitions;
  private final Map<TopicPartition, Long> startEnd;
  private final KeyTable table = new KeyTable();
  private final CountDownLatch caughtUp = new CountDownLatch(1);

  /** When the reader last knew it had read everything written to the topic. */
  private final AtomicLong currentAtMs = new AtomicLong(System.currentTimeMillis());

  private final AtomicLong skipped = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  private KeysReader(
      KafkaConsumer<String, byte[]> consumer,
      List<TopicPartition> partitions,
      Map<TopicPartition, Long> startEnd,
      String name) {
    this.consumer = consumer;
    this.partitions = partitions;
    this.startEnd = startEnd;
    this.thread = new Thread(this::run, "sluice-keys-" + name);
    thread.setDaemon(true);
  }

  /**
   * Starts reading {@code topic}.
   *
   * @param kafka client properties (bootstrap.servers and any kafka.properties)
   * @param name who reads, for the client id and thread name ({@code front-door}, {@code gateway})
   * @throws IllegalStateException when the topic does not exist
   */
  public static KeysReader start(Properties kafka, String topic, String name) {
    Properties p = new Properties();
    p.putAll(kafka);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    p.put(
        ConsumerConfig.CLIENT_ID_CONFIG,
        "sluice-keys-" + name + "-" + ProcessHandle.current().pid());
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    try {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException(
            "the keys topic " + topic + " does not exist: create it with sluice topics");
      }
      List<TopicPartition> tps = new ArrayList<>();
      infos.forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(30));
      KeysReader reader = new KeysReader(consumer, tps, end, name);
      reader.thread.start();
      return reader;
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
  }

  /** Waits until every key written before the start has been read; true if that happened. */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The keys read so far (for {@code sluice keys list}). */
  public List<VirtualKey> all() {
    return table.all();
  }

  @Override
  public Optional<VirtualKey> byId(String id) {
    return table.byId(id);
  }

  @Override
  public Optional<VirtualKey> byPlaintext(String plaintext) {
    return table.byPlaintext(plaintext);
  }

  /**
   * Meters: {@code sluice_keys_active} (keys that work) and {@code sluice_keys_reader_age_seconds}
   * (since the reader last knew it had read all the topic holds, checked against its end offsets
   * every second: past a few seconds, revocations are not arriving), and {@code
   * sluice_keys_skipped_total} (records that are no valid key), tagged with {@code reader}.
   */
  public void bindTo(MeterRegistry meters, String reader) {
    Gauge.builder("sluice.keys.active", table, KeyTable::active)
        .tag("reader", reader)
        .description("virtual keys that work, as this reader last read them")
        .register(meters);
    Gauge.builder(
            "sluice.keys.reader.age.seconds",
            currentAtMs,
            t -> (System.currentTimeMillis() - t.get()) / 1000.0)
        .tag("reader", reader)
        .description("seconds since the keys reader last read its topic")
        .register(meters);
    FunctionCounter.builder("sluice.keys.skipped", skipped, AtomicLong::get)
        .tag("reader", reader)
        .description("llm.keys records that are not a valid key (skipped)")
        .register(meters);
  }

  private void run() {
    long checkedAt = 0;
    boolean failing = false;
    try {
      while (running) {
        try {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(POLL_MS))) {
            apply(r);
          }
          if (caughtUp.getCount() > 0 && reached(startEnd)) {
            caughtUp.countDown();
            log.info("virtual keys loaded: {} active", table.active());
          }
          long now = System.currentTimeMillis();
          if (now - checkedAt >= CHECK_MS) {
            checkedAt = now;
            // a poll returns nothing as well when the broker is away: only the end offsets tell
            if (reached(consumer.endOffsets(partitions, Duration.ofSeconds(2)))) {
              currentAtMs.set(now);
            }
          }
          if (failing) {
            failing = false;
            log.info("reading the keys topic again");
          }
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          if (!failing) {
            log.warn(
                "reading the keys topic failed, retrying every {} ms: {}", RETRY_MS, e.toString());
          }
          failing = true;
          Thread.sleep(RETRY_MS);
        }
      }
    } catch (WakeupException e) {
      if (running) {
        log.error("the keys reader was woken up unexpectedly; revocations no longer arrive", e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      consumer.close();
    }
  }

  private boolean reached(Map<TopicPartition, Long> ends) {
    for (TopicPartition tp : partitions) {
      if (consumer.position(tp) < ends.getOrDefault(tp, 0L)) {
        return false;
      }
    }
    return true;
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      skip(r, "no key");
      return;
    }
    if (r.value() == null) {
      table.apply(r.key(), null);
      return;
    }
    KeyCodec.Decoded d = KeyCodec.decode(r.value());
    if (d.key() == null) {
      skip(r, d.problem());
    } else if (!d.key().id().equals(r.key())) {
      skip(r, "record key is not the key's id");
    } else {
      table.apply(r.key(), d.key());
    }
  }

  private void skip(ConsumerRecord<String, byte[]> r, String why) {
    skipped.incrementAndGet();
    log.warn("{}-{}@{}: skipped, not a valid key: {}", r.topic(), r.partition(), r.offset(), why);
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
