/**
 * The gateway's own metrics ({@link io.sluice.metrics.GatewayMetrics}), all named {@code sluice_*}
 * in Prometheus, on Micrometer. The topics are the record; a counter may run slightly ahead of them
 * after a crash under exactly-once.
 */
package io.sluice.metrics;
