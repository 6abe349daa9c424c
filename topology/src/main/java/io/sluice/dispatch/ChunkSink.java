package io.sluice.dispatch;

import io.sluice.events.ResponseChunk;

/**
 * Where the chunks of streamed answers go: the request's reply topic, in production. Thread-safe;
 * called on the provider client's I/O threads, so it never blocks: a chunk it cannot take at once
 * is dropped (and counted). Chunks are a fast path: the final {@code Response} carries the whole
 * answer whatever was dropped.
 */
public interface ChunkSink extends AutoCloseable {
  /** Drops every chunk: for dispatchers without a reply path. */
  ChunkSink NONE = (topic, partition, chunk) -> {};

  /**
   * Writes {@code chunk} to {@code topic} ({@code partition}, or the producer's choice by key when
   * null). Chunks of one request sent in order arrive in that order.
   */
  void send(String topic, Integer partition, ResponseChunk chunk);

  @Override
  default void close() {}
}
