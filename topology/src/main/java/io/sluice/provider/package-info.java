/**
 * Provider adapters: Sluice's canonical chat call ({@link io.sluice.provider.ChatCall}) to and from
 * each provider's HTTP API, with errors classified as retriable, context-window or terminal. Calls
 * are asynchronous (okhttp {@code enqueue}); nothing here blocks the caller.
 */
package io.sluice.provider;
