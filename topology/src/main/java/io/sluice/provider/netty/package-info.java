/**
 * The event-loop provider transport ({@link io.sluice.provider.netty.NettyTransport}): Netty
 * HTTP/1.1 keep-alive pooling, HTTP/2 streams (h2c or ALPN over TLS), request encoding and reply
 * decoding, behind {@link io.sluice.provider.HttpTransport}. Only {@code NettyTransport} is public;
 * the rest is its internals. Everything here runs on the event loop and never blocks.
 */
package io.sluice.provider.netty;
