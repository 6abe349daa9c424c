/**
 * A single-node KRaft broker in this JVM on 127.0.0.1 ({@link
 * io.sluice.dev.broker.EmbeddedKafkaBroker}), for {@code sluice broker}, {@code sluice dev} and the
 * integration tests.
 */
package io.sluice.dev.broker;
