package io.sluice.tools.worker;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.Map;

/**
 * The RabbitMQ topology of tools: a durable direct exchange routed by tool name; per tool a durable
 * quorum queue {@code sluice.tool.<name>} with a delivery limit and a dead-letter exchange ({@code
 * <exchange>.dlx}), whose dead letters land in {@code sluice.tool.<name>.dead}. Declaring is
 * idempotent while the arguments stay the same.
 */
public final class ToolQueues {
  private ToolQueues() {}

  public static String queue(String exchange, String tool) {
    return exchange + "." + tool;
  }

  public static String deadQueue(String exchange, String tool) {
    return queue(exchange, tool) + ".dead";
  }

  public static void declareExchange(Channel ch, String exchange) throws IOException {
    ch.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT, true);
  }

  public static void declare(Channel ch, String exchange, String tool, int deliveryLimit)
      throws IOException {
    declareExchange(ch, exchange);
    String dlx = exchange + ".dlx";
    ch.exchangeDeclare(dlx, BuiltinExchangeType.DIRECT, true);
    ch.queueDeclare(
        queue(exchange, tool),
        true,
        false,
        false,
        Map.of(
            "x-queue-type", "quorum",
            "x-delivery-limit", deliveryLimit,
            "x-dead-letter-exchange", dlx,
            "x-dead-letter-routing-key", tool));
    ch.queueBind(queue(exchange, tool), exchange, tool);
    ch.queueDeclare(
        deadQueue(exchange, tool), true, false, false, Map.of("x-queue-type", "quorum"));
    ch.queueBind(deadQueue(exchange, tool), dlx, tool);
  }
}
