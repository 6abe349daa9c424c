package io.sluice.provider;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Response;

/**
 * Calls one provider asynchronously: okhttp's {@code enqueue}, never {@code execute}, so the
 * caller's thread never waits. The future completes with the result or a classified failure, never
 * exceptionally.
 */
public final class ProviderClient {
  /** An answer or a failure, and the HTTP status when one came. */
  public record Outcome(ChatResult result, ProviderFailure failure) {
    public boolean ok() {
      return result != null;
    }
  }

  private final String name;
  private final ProviderAdapter adapter;
  private final OkHttpClient http;
  private final Duration timeout;

  public ProviderClient(String name, ProviderAdapter adapter, OkHttpClient http, Duration timeout) {
    this.name = name;
    this.adapter = adapter;
    this.http = http;
    this.timeout = timeout;
  }

  public String name() {
    return name;
  }

  /**
   * Starts {@code call}; it gives up after the provider's timeout or {@code maxWait}, if shorter.
   */
  public CompletableFuture<Outcome> call(ChatCall call, Duration maxWait) {
    CompletableFuture<Outcome> future = new CompletableFuture<>();
    Duration limit = maxWait.compareTo(timeout) < 0 ? maxWait : timeout;
    if (limit.isNegative() || limit.isZero()) {
      future.complete(
          new Outcome(
              null,
              new ProviderFailure(
                  ProviderFailure.Kind.RETRIABLE,
                  "timeout",
                  "no time left to call " + name,
                  null,
                  null)));
      return future;
    }
    Call c = http.newCall(adapter.toHttp(call));
    c.timeout().timeout(limit.toMillis(), TimeUnit.MILLISECONDS);
    c.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call call, IOException e) {
            future.complete(new Outcome(null, Failures.ofIo(name, e)));
          }

          @Override
          public void onResponse(Call call, Response response) {
            try (response) {
              if (response.isSuccessful()) {
                future.complete(new Outcome(adapter.parse(response), null));
              } else {
                String body = response.body().string();
                future.complete(
                    new Outcome(null, adapter.failure(response.code(), response.headers(), body)));
              }
            } catch (IOException e) {
              future.complete(new Outcome(null, Failures.ofIo(name, e)));
            } catch (RuntimeException e) {
              future.complete(
                  new Outcome(
                      null,
                      new ProviderFailure(
                          ProviderFailure.Kind.RETRIABLE,
                          "provider_error",
                          name + " answered something unreadable: " + e.getMessage(),
                          response.code(),
                          null)));
            }
          }
        });
    return future;
  }
}
