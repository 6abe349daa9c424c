package io.sluice.tools.bridge;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import io.sluice.events.ToolCall;
import io.sluice.events.ToolResult;
import io.sluice.schema.registry.SchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import io.sluice.tools.ToolMessages;
import io.sluice.tools.worker.ToolQueues;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries tool calls from Kafka to RabbitMQ and their results back.
 *
 * <p>It consumes {@code llm.tool-calls} and publishes each call to the tools exchange, routing key
 * the tool's name, with publisher confirms and {@code mandatory}: a call no queue takes comes back
 * at once and becomes an error result ("no worker serves tool X"). Replies arrive on RabbitMQ's
 * direct reply-to and become {@code ToolResult}s on {@code llm.tool-results}, keyed by session. A
 * call's Kafka offset is committed only once its publish is confirmed. After a broker restart the
 * client reconnects, and every call not yet confirmed or not yet answered is published again
 * (duplicate results are harmless: the gateway keeps the first per call id).
 *
 * <p>Threading: one loop thread polls Kafka, publishes and commits; RabbitMQ's threads deliver
 * confirms, returns and replies, which only update concurrent maps and produce to Kafka.
 */
public final class ToolBridge implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ToolBridge.class);
  private static final String REPLY_TO = "amq.rabbitmq.reply-to";

  /** Where to read calls, write results, and publish. */
  public record Options(
      Properties kafka,
      String groupId,
      String toolCallsTopic,
      String toolResultsTopic,
      String amqpUri,
      String exchange,
      SchemaRegistry registry) {}

  private record Pending(ToolCall call, TopicPartition tp, long offset) {}

  private final Options o;
  private final KafkaConsumer<String, ToolCall> consumer;
  private final KafkaProducer<String, ToolResult> producer;
  private final ConfluentAvroSerde<ToolResult> results;
  private final Connection connection;
  private final Channel channel;
  private final PublishConfirms<Pending> unconfirmed = new PublishConfirms<>();
  private final ConcurrentLinkedQueue<Pending> nackedCalls = new ConcurrentLinkedQueue<>();
  private final Map<String, ToolCall> awaitingReply = new ConcurrentHashMap<>();
  private final Map<TopicPartition, TreeSet<Long>> inFlightOffsets = new HashMap<>();
  private final Map<TopicPartition, Long> polledUpTo = new HashMap<>();
  private final AtomicBoolean republish = new AtomicBoolean();

  /**
   * Between a lost connection and the end of its recovery: the channel may be open again already
   * (channels recover before the connection's listeners run), but its sequence numbers have started
   * again, so nothing is published until {@link #republishAll} has taken the old ones out.
   */
  private final AtomicBoolean recovering = new AtomicBoolean();

  private final AtomicLong published = new AtomicLong();
  private final AtomicLong replied = new AtomicLong();
  private final Thread loop;
  private volatile boolean running = true;

  private ToolBridge(Options o) throws Exception {
    this.o = o;
    this.results = ConfluentAvroSerde.forValues(ToolResult.class, o.registry());
    Properties c = new Properties();
    c.putAll(o.kafka());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, o.groupId());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    this.consumer =
        new KafkaConsumer<>(
            c,
            new StringDeserializer(),
            ConfluentAvroSerde.forValues(ToolCall.class, o.registry()).deserializer());
    Properties p = new Properties();
    p.putAll(o.kafka());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), results.serializer());

    ConnectionFactory f = new ConnectionFactory();
    f.setUri(o.amqpUri());
    f.setAutomaticRecoveryEnabled(true);
    f.setTopologyRecoveryEnabled(true);
    f.setNetworkRecoveryInterval(1000);
    f.setConnectionTimeout(5000);
    this.connection = f.newConnection("sluice-tool-bridge");
    this.channel = connection.createChannel();
    ToolQueues.declareExchange(channel, o.exchange());
    channel.confirmSelect();
    channel.addConfirmListener(this::confirmed, this::nacked);
    channel.addReturnListener(
        r -> unroutable(r.getProperties().getCorrelationId(), r.getRoutingKey()));
    // direct reply-to: consume the pseudo-queue, auto-ack, on the channel that publishes
    channel.basicConsume(
        REPLY_TO,
        true,
        (tag, d) -> reply(d.getProperties().getCorrelationId(), d.getBody()),
        tag -> {});
    ((Recoverable) connection)
        .addRecoveryListener(
            new RecoveryListener() {
              @Override
              public void handleRecovery(Recoverable r) {
                log.info(
                    "RabbitMQ connection recovered; publishing {} unconfirmed and {} unanswered call(s) again",
                    unconfirmed.size(),
                    awaitingReply.size());
                republish.set(true);
                recovering.set(false);
              }

              @Override
              public void handleRecoveryStarted(Recoverable r) {
                recovering.set(true);
                log.warn("RabbitMQ connection lost; reconnecting");
              }
            });
    consumer.subscribe(List.of(o.toolCallsTopic()));
    this.loop = new Thread(this::run, "sluice-tool-bridge");
    loop.setDaemon(true);
  }

  /** Connects to Kafka and RabbitMQ and starts carrying calls. */
  public static ToolBridge start(Options o) throws Exception {
    ToolBridge b = new ToolBridge(o);
    b.loop.start();
    return b;
  }

  public long published() {
    return published.get();
  }

  public long replied() {
    return replied.get();
  }

  private void run() {
    while (running) {
      try {
        if (!channel.isOpen() || recovering.get()) {
          consumer.pause(consumer.assignment());
          consumer.poll(Duration.ofMillis(200));
          continue;
        }
        if (!consumer.paused().isEmpty()) {
          consumer.resume(consumer.paused());
        }
        if (republish.getAndSet(false)) {
          republishAll();
        }
        for (Pending p = nackedCalls.poll(); p != null; p = nackedCalls.poll()) {
          publish(p);
        }
        for (ConsumerRecord<String, ToolCall> r : consumer.poll(Duration.ofMillis(100))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          polledUpTo.put(tp, r.offset() + 1);
          if (r.value() == null) {
            continue;
          }
          synchronized (inFlightOffsets) {
            inFlightOffsets.computeIfAbsent(tp, k -> new TreeSet<>()).add(r.offset());
          }
          publish(new Pending(r.value(), tp, r.offset()));
        }
        commitConfirmed();
      } catch (org.apache.kafka.common.errors.WakeupException e) {
        // closing
      } catch (RuntimeException e) {
        if (running) {
          log.warn("tool bridge loop: {}; going on", e.toString());
        }
      }
    }
  }

  private void publish(Pending p) {
    ToolCall call = p.call();
    String corr = CallId.of(call).encode();
    Map<String, Object> headers = new HashMap<>();
    headers.put(ToolMessages.REQUEST_ID, call.getRequestId());
    headers.put(ToolMessages.SESSION_ID, call.getSessionId());
    headers.put(ToolMessages.TOOL_CALL_ID, call.getToolCallId());
    headers.put(ToolMessages.TOOL, call.getName());
    headers.put(ToolMessages.ROUND, call.getRound());
    AMQP.BasicProperties.Builder props =
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .deliveryMode(2)
            .correlationId(corr)
            .replyTo(REPLY_TO)
            .headers(headers);
    if (call.getDeadlineMs() != null) {
      long left = call.getDeadlineMs() - System.currentTimeMillis();
      props.expiration(String.valueOf(Math.max(1, left)));
    }
    awaitingReply.put(corr, call);
    try {
      long seq = channel.getNextPublishSeqNo();
      unconfirmed.published(seq, p);
      channel.basicPublish(
          o.exchange(),
          call.getName(),
          true,
          props.build(),
          call.getArgumentsJson().getBytes(StandardCharsets.UTF_8));
      published.incrementAndGet();
    } catch (Exception e) {
      log.warn(
          "publish of {} failed ({}); it will be published again after reconnecting",
          call.getToolCallId(),
          e.toString());
      republish.set(true);
    }
  }

  private void republishAll() {
    List<Pending> again = unconfirmed.drain();
    for (Pending p = nackedCalls.poll(); p != null; p = nackedCalls.poll()) {
      again.add(p);
    }
    java.util.Set<String> corrs = new java.util.HashSet<>();
    again.forEach(p -> corrs.add(CallId.of(p.call()).encode()));
    for (Map.Entry<String, ToolCall> e : awaitingReply.entrySet()) {
      if (!corrs.contains(e.getKey())) {
        again.add(new Pending(e.getValue(), null, -1));
      }
    }
    again.forEach(this::publish);
  }

  private void confirmed(long seq, boolean multiple) {
    settle(unconfirmed.confirmed(seq, multiple));
  }

  private void nacked(long seq, boolean multiple) {
    List<Pending> refused = unconfirmed.nacked(seq, multiple);
    log.warn("RabbitMQ refused {} call(s) up to {}; publishing them again", refused.size(), seq);
    nackedCalls.addAll(refused); // their offsets stay uncommitted until a publish is confirmed
  }

  /** Confirmed publishes: their offsets no longer hold the commit back. */
  private void settle(List<Pending> done) {
    for (Pending p : done) {
      if (p.tp() != null) {
        synchronized (inFlightOffsets) {
          TreeSet<Long> s = inFlightOffsets.get(p.tp());
          if (s != null) {
            s.remove(p.offset());
          }
        }
      }
    }
  }

  /** Commits, per partition, up to the first call whose publish is not yet confirmed. */
  private void commitConfirmed() {
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    synchronized (inFlightOffsets) {
      for (Map.Entry<TopicPartition, Long> e : polledUpTo.entrySet()) {
        TreeSet<Long> open = inFlightOffsets.get(e.getKey());
        long upTo = open == null || open.isEmpty() ? e.getValue() : open.first();
        commit.put(e.getKey(), new OffsetAndMetadata(upTo));
      }
    }
    if (!commit.isEmpty()) {
      consumer.commitAsync(
          commit,
          (offsets, ex) -> {
            if (ex != null) {
              log.debug("offset commit failed: {}", ex.toString());
            }
          });
    }
  }

  private void unroutable(String corr, String tool) {
    awaitingReply.remove(corr);
    produce(corr, "no worker serves tool '" + tool + "'", true);
  }

  private void reply(String corr, byte[] body) {
    if (corr == null) {
      return;
    }
    awaitingReply.remove(corr);
    ToolMessages.Reply r = ToolMessages.parseReply(body);
    replied.incrementAndGet();
    produce(corr, r.content(), r.isError());
  }

  private void produce(String corr, String content, boolean isError) {
    CallId id;
    try {
      id = CallId.decode(corr);
    } catch (IllegalArgumentException e) {
      log.warn("dropping a reply with an unknown correlation id");
      return;
    }
    ToolResult result =
        new ToolResult(
            id.requestId(),
            id.sessionId(),
            id.toolCallId(),
            id.name(),
            content,
            isError,
            id.round());
    producer.send(
        new ProducerRecord<>(o.toolResultsTopic(), id.sessionId(), result),
        (md, e) -> {
          if (e != null) {
            log.warn("tool result of {} not written: {}", id.toolCallId(), e.toString());
          }
        });
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      loop.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      consumer.close();
    } catch (RuntimeException e) {
      log.debug("consumer close", e);
    }
    producer.close(Duration.ofSeconds(5));
    try {
      connection.close(5000);
    } catch (Exception e) {
      log.debug("connection close", e);
    }
  }
}
