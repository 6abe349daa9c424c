/**
 * The running gateway: {@link io.sluice.app.SluiceApp} builds every part from the config (schema
 * registry, serdes, provider clients, dispatcher, topology, Kafka Streams, the admin HTTP server,
 * the tool bridge), starts them and closes them in order. The Kafka Streams settings and the topic
 * check before start live here too; the topology itself is built in {@code io.sluice.topology}.
 */
package io.sluice.app;
