/**
 * The Kafka-to-RabbitMQ tool bridge ({@link io.sluice.tools.bridge.ToolBridge}): tool calls from
 * the tool-calls topic to the tools exchange, with publisher confirms, and each reply back to the
 * tool-results topic. A reply needs no bridge state: its correlation id carries the call.
 */
package io.sluice.tools.bridge;
