/**
 * Provider adapters: Sluice's canonical chat call ({@link io.sluice.provider.ChatCall}) to and from
 * each provider's HTTP API, with errors classified as retriable, context-window or terminal. Calls
 * are asynchronous through an {@link io.sluice.provider.HttpTransport}: okhttp {@code enqueue}
 * ({@link io.sluice.provider.OkHttpTransport}) or the event-loop transport in {@code
 * io.sluice.provider.netty}; nothing here blocks the caller.
 */
package io.sluice.provider;
