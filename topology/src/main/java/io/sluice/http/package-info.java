/**
 * The gateway's own HTTP endpoints ({@link io.sluice.http.AdminHttpServer}): {@code GET /metrics}
 * in Prometheus text and {@code GET /health} from a {@link io.sluice.http.HealthCheck}, bound to
 * the configured address.
 */
package io.sluice.http;
