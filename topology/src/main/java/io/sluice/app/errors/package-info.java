/**
 * The gateway's last lines of defence, below the size bounds and validation that should make them
 * unnecessary: what Kafka Streams does with a record it could not process or produce, and with a
 * stream thread that died. A per-record failure becomes a dead letter and processing goes on; a
 * dead thread is replaced; only what the gateway cannot survive stops it, with the reason.
 */
package io.sluice.app.errors;
