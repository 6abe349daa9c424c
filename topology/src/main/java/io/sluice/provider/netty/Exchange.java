package io.sluice.provider.netty;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.provider.BodyParts;
import io.sluice.provider.HttpReply;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import okhttp3.Request;

/**
 * One call: its request, its future and, once it has one, its connection or stream. The future
 * completes once, by the answer, a failure or the timeout, whichever comes first; the others are
 * then no-ops.
 */
final class Exchange {
  final Request request;
  // where a 2xx answer's body goes as it arrives; null: the body is aggregated
  final BodyParts parts;
  final CompletableFuture<HttpReply> future = new CompletableFuture<>();
  volatile Channel channel;
  volatile ScheduledFuture<?> timer;
  // HTTP/1.1: whether the call went out on a pooled connection, and whether it was sent again
  boolean reused;
  boolean resent;
  // HTTP/2: how many times the server refused the stream
  int refusals;

  Exchange(Request request, BodyParts parts) {
    this.request = request;
    this.parts = parts;
  }

  void done(HttpReply reply) {
    if (future.complete(reply)) {
      cancelTimer();
    }
  }

  void fail(Throwable e) {
    if (future.completeExceptionally(HttpMessages.asIo(e))) {
      cancelTimer();
    }
  }

  void timedOut() {
    if (future.completeExceptionally(new SocketTimeoutException("timeout"))) {
      Channel c = channel;
      if (c != null) {
        c.close(); // an HTTP/1.1 connection with an unanswered call cannot be reused
      }
    }
  }

  private void cancelTimer() {
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
  }
}
