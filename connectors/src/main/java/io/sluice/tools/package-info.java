/**
 * Tool calls over RabbitMQ. The bridge ({@link io.sluice.tools.bridge.ToolBridge}) carries each
 * {@code ToolCall} from Kafka to the exchange, routed by tool name, and each reply back to Kafka as
 * a {@code ToolResult}; workers ({@link io.sluice.tools.worker.ToolWorker}) serve tools.
 *
 * <p>The wire format between them: a call is published to the exchange (default {@code
 * sluice.tools}) with the tool's name as routing key, the arguments JSON as body ({@code
 * application/json}), a correlation id, a reply address and the headers {@code sluice-request-id},
 * {@code sluice-session-id}, {@code sluice-tool-call-id}, {@code sluice-tool}, {@code
 * sluice-round}. A reply goes to the reply address with the same correlation id and the body {@code
 * {"content": "...", "is_error": false}}.
 */
package io.sluice.tools;
