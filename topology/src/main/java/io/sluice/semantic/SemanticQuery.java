package io.sluice.semantic;

/**
 * What the semantic cache needs of a request that missed the exact cache, computed on the stream
 * thread (two hashes, no embedding).
 *
 * @param cacheKey the exact cache key: where this request's answer will be cached
 * @param scope the exact cache key of the conversation without its last user turn, always per
 *     tenant: only entries of the same scope are compared
 * @param text the last user turn, the part compared by meaning
 * @param requestId the request
 */
public record SemanticQuery(String cacheKey, String scope, String text, String requestId) {}
