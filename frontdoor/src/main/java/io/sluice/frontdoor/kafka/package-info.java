/** The front door's Kafka clients: the request producer and the reply reader. */
package io.sluice.frontdoor.kafka;
