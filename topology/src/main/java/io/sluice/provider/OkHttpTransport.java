package io.sluice.provider;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * okhttp's {@code enqueue}: the caller never waits, but each call in flight holds one of okhttp's
 * dispatcher threads until its answer is read. TLS, ALPN-negotiated HTTP/2 and proxies come with
 * it, which is why it serves {@code https://} providers.
 */
public final class OkHttpTransport implements HttpTransport {
  private final OkHttpClient http;

  /** {@code http} is shared; its owner shuts it down. */
  public OkHttpTransport(OkHttpClient http) {
    this.http = http;
  }

  @Override
  public CompletableFuture<HttpReply> send(Request request, Duration timeout) {
    CompletableFuture<HttpReply> future = new CompletableFuture<>();
    Call c = http.newCall(request);
    c.timeout().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    c.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call call, IOException e) {
            future.completeExceptionally(e);
          }

          @Override
          public void onResponse(Call call, Response response) {
            try (response) {
              future.complete(
                  new HttpReply(response.code(), response.headers(), response.body().bytes()));
            } catch (IOException e) {
              future.completeExceptionally(e);
            }
          }
        });
    return future;
  }

  /** The body is read on okhttp's dispatcher thread, which each call in flight holds anyway. */
  @Override
  public CompletableFuture<HttpReply> stream(Request request, Duration timeout, BodyParts parts) {
    CompletableFuture<HttpReply> future = new CompletableFuture<>();
    Call c = http.newCall(request);
    c.timeout().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    c.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call call, IOException e) {
            future.completeExceptionally(e);
          }

          @Override
          public void onResponse(Call call, Response response) {
            try (response) {
              if (!response.isSuccessful()) {
                future.complete(
                    new HttpReply(response.code(), response.headers(), response.body().bytes()));
                return;
              }
              byte[] buf = new byte[8192];
              try (InputStream in = response.body().byteStream()) {
                int n;
                while ((n = in.read(buf)) != -1) {
                  parts.onPart(buf, 0, n);
                }
              }
              future.complete(new HttpReply(response.code(), response.headers(), new byte[0]));
            } catch (IOException | RuntimeException e) {
              future.completeExceptionally(e);
            }
          }
        });
    return future;
  }

  @Override
  public void close() {}
}
