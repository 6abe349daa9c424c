/**
 * PII redaction: detectors of personal data in text (e-mail addresses, phone numbers, payment card
 * numbers, IBANs, IP addresses, Chinese resident ID numbers, named custom patterns), and the guard
 * that masks, blocks or passes a {@code Request} by a tenant's policy and puts the originals back
 * into an answer for the client.
 *
 * <p>It depends on nothing of the front door or the gateway: the front door uses it before it
 * produces a request, the topology at ingest for requests produced straight to Kafka.
 *
 * <p>Every detector is linear in the length of the text (hand-written scanners, no backtracking
 * pattern) except custom patterns, which are as linear as their author makes them.
 */
package io.sluice.guardrails;
