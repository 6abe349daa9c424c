package io.sluice.tools.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.sluice.tools.ToolMessages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves tools over RabbitMQ in a few lines:
 *
 * <pre>{@code
 * try (ToolWorker w = ToolWorker.builder("amqp://guest:guest@127.0.0.1:5672")
 *     .tool("calculator", args -> new Calculator().call(args))
 *     .start()) { ... }
 * }</pre>
 *
 * The library declares each tool's quorum queue (see {@link ToolQueues}), consumes it with a
 * prefetch, runs handlers on its own threads (never on the connection's), replies to the call's
 * reply address, acknowledges after replying, turns a handler's exception into an error reply,
 * rejects a {@link PoisonMessageException} so the delivery limit can dead-letter it, reconnects
 * after a broker restart, and stops gracefully on {@link #close()}.
 */
public final class ToolWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ToolWorker.class);

  private final Connection connection;
  private final List<Map.Entry<Channel, String>> consumers = new ArrayList<>();
  private final ExecutorService handlers;
  private final java.util.Set<String> tools;

  private ToolWorker(Builder b) throws IOException, TimeoutException {
    ConnectionFactory f = new ConnectionFactory();
    try {
      f.setUri(b.uri);
    } catch (Exception e) {
      throw new IllegalArgumentException("not an AMQP URI: " + b.uri, e);
    }
    f.setAutomaticRecoveryEnabled(true);
    f.setTopologyRecoveryEnabled(true);
    f.setNetworkRecoveryInterval(1000);
    f.setConnectionTimeout(5000);
    this.tools = java.util.Set.copyOf(b.tools.keySet());
    this.handlers =
        Executors.newFixedThreadPool(
            b.threads,
            r -> {
              Thread t = new Thread(r, "sluice-tool-worker");
              t.setDaemon(true);
              return t;
            });
    this.connection = f.newConnection("sluice-tool-worker");
    for (Map.Entry<String, ToolHandler> tool : b.tools.entrySet()) {
      Channel ch = connection.createChannel();
      ToolQueues.declare(ch, b.exchange, tool.getKey(), b.deliveryLimit);
      ch.basicQos(b.prefetch);
      String tag =
          ch.basicConsume(
              ToolQueues.queue(b.exchange, tool.getKey()),
              false,
              new Deliveries(ch, tool.getKey(), tool.getValue()));
      consumers.add(Map.entry(ch, tag));
    }
  }

  /** The tools this worker serves. */
  public java.util.Set<String> tools() {
    return tools;
  }

  public static Builder builder(String amqpUri) {
    return new Builder(amqpUri);
  }

  /** Options of a worker; {@link #start()} connects and starts consuming. */
  public static final class Builder {
    private final String uri;
    private final Map<String, ToolHandler> tools = new LinkedHashMap<>();
    private String exchange = "sluice.tools";
    private int prefetch = 16;
    private int deliveryLimit = 3;
    private int threads = 4;

    private Builder(String uri) {
      this.uri = uri;
    }

    public Builder tool(String name, ToolHandler handler) {
      tools.put(name, handler);
      return this;
    }

    public Builder exchange(String exchange) {
      this.exchange = exchange;
      return this;
    }

    public Builder prefetch(int prefetch) {
      this.prefetch = prefetch;
      return this;
    }

    /** Deliveries of one message before it is dead-lettered. */
    public Builder deliveryLimit(int deliveryLimit) {
      this.deliveryLimit = deliveryLimit;
      return this;
    }

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    public ToolWorker start() throws IOException, TimeoutException {
      if (tools.isEmpty()) {
        throw new IllegalStateException("a worker needs at least one tool");
      }
      return new ToolWorker(this);
    }
  }

  private final class Deliveries extends DefaultConsumer {
    private final String tool;
    private final ToolHandler handler;

    Deliveries(Channel ch, String tool, ToolHandler handler) {
      super(ch);
      this.tool = tool;
      this.handler = handler;
    }

    @Override
    public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
      handlers.execute(() -> serve(env, props, body));
    }

    private void serve(Envelope env, AMQP.BasicProperties props, byte[] body) {
      Channel ch = getChannel();
      String content;
      boolean error = false;
      try {
        content = handler.call(new String(body, StandardCharsets.UTF_8));
      } catch (PoisonMessageException e) {
        log.warn("tool {}: poison message rejected ({})", tool, e.getMessage());
        synchronized (ch) {
          try {
            ch.basicNack(env.getDeliveryTag(), false, true);
          } catch (IOException io) {
            log.warn("tool {}: could not reject a message", tool, io);
          }
        }
        return;
      } catch (Exception e) {
        content =
            tool
                + " failed: "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        error = true;
      }
      synchronized (ch) {
        try {
          if (props.getReplyTo() != null) {
            ch.basicPublish(
                "",
                props.getReplyTo(),
                new AMQP.BasicProperties.Builder()
                    .correlationId(props.getCorrelationId())
                    .contentType("application/json")
                    .build(),
                ToolMessages.reply(content, error));
          }
          ch.basicAck(env.getDeliveryTag(), false);
        } catch (IOException e) {
          log.warn(
              "tool {}: could not reply or acknowledge; the call will be redelivered", tool, e);
        }
      }
    }
  }

  @Override
  public void close() {
    for (Map.Entry<Channel, String> c : consumers) {
      try {
        c.getKey().basicCancel(c.getValue()); // no new deliveries; unacked ones are redelivered
      } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
        log.debug("cancel failed", e);
      }
    }
    handlers.shutdown();
    try {
      handlers.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      connection.close(5000);
    } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
      log.debug("connection close failed", e);
    }
  }
}
