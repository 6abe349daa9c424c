/**
 * The HTTP server: Netty pipelines for HTTP/1.1 and h2c, slow-client and body limits, routing, and
 * the life of one chat call from its produced request to its answer.
 */
package io.sluice.frontdoor.server;
