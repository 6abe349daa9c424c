/**
 * The semantic cache: answers a request from a cached answer to another request whose last user
 * turn means the same, within the exact cache's scope (tenant, model, parameters, tools, system
 * prompt and earlier turns equal). Embeddings are computed in-process ({@link MiniLmEmbedder}, a
 * quantized all-MiniLM-L6-v2 shipped inside a Maven Central jar) on a bounded worker pool ({@link
 * SemanticDispatcher}), never on a stream thread; the vectors of cached entries go through a
 * compacted topic of their own ({@link IndexFeed}) into an exact in-memory index ({@link
 * SemanticIndex}) on every instance. {@link Guards} refuse matches whose numbers, quoted strings,
 * named entities, negations or targets differ.
 */
package io.sluice.semantic;
