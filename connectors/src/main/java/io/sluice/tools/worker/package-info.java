/**
 * Serving tools over RabbitMQ: {@link io.sluice.tools.worker.ToolWorker} runs {@link
 * io.sluice.tools.worker.ToolHandler}s on the queues that {@link io.sluice.tools.worker.ToolQueues}
 * declares (a quorum queue per tool, with a delivery limit and dead letters). A handler throws
 * {@link io.sluice.tools.worker.PoisonMessageException} for a message it can never process.
 */
package io.sluice.tools.worker;
