/**
 * The benchmarks behind {@code sluice bench}: the gateway load generator ({@link
 * io.sluice.bench.GatewayBench}) and its workloads, the pass-through baseline app, the provider
 * endpoint benchmark and the RabbitMQ tool round trip. Each prints a JSON summary; the numbers and
 * how they were measured are in {@code docs/BENCHMARKS.md}. Nothing in the gateway depends on it.
 */
package io.sluice.bench;
