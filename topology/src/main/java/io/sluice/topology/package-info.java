/**
 * The gateway's Kafka Streams topology, built by one pure function ({@link
 * io.sluice.topology.GatewayTopology#build}) from a {@link io.sluice.topology.TopologySpec}: ingest
 * (raw requests to valid, keyed ones, or dead letters and rejections), the session processor with
 * its stores (admission, one call in flight per session, answers in request order, tool rounds, the
 * response cache) and the outputs (responses, traces, usage, tool calls). Every processor, store
 * and internal topic has an explicit name. Only the processors touch a {@code ProcessorContext} or
 * a store; provider calls go through {@code io.sluice.dispatch}.
 */
package io.sluice.topology;
