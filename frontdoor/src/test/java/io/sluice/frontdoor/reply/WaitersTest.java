package io.sluice.frontdoor.reply;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.events.ResponseStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WaitersTest {
  private static final class Recording implements Waiter {
    final List<Object> got = new ArrayList<>();

    @Override
    public void chunk(ResponseChunk chunk) {
      got.add(chunk);
    }

    @Override
    public void response(Response response) {
      got.add(response);
    }
  }

  private static Response response(String id) {
    return Response.newBuilder().setRequestId(id).setStatus(ResponseStatus.OK).build();
  }

  private static ResponseChunk chunk(String id) {
    return ResponseChunk.newBuilder().setRequestId(id).setSessionId(id).setIndex(0).build();
  }

  @Test
  void shouldHandEveryCallWaitingForAnIdItsRecordsThenForgetThem() {
    // Given two calls waiting for the same id (a retry while the first is open)
    Waiters waiters = new Waiters();
    Recording first = new Recording();
    Recording retry = new Recording();
    waiters.add("r1", first);
    waiters.add("r1", retry);

    // When
    boolean chunked = waiters.chunk(chunk("r1"));
    boolean answered = waiters.response(response("r1"));

    // Then
    assertThat(chunked).isTrue();
    assertThat(answered).isTrue();
    assertThat(first.got).hasSize(2);
    assertThat(retry.got).hasSize(2);
    assertThat(waiters.size()).isZero();
    assertThat(waiters.response(response("r1"))).isFalse();
  }

  @Test
  void shouldDropRecordsForIdsNoCallWaitsFor() {
    Waiters waiters = new Waiters();
    Recording gone = new Recording();
    waiters.add("r2", gone);
    waiters.remove("r2", gone);

    assertThat(waiters.chunk(chunk("r2"))).isFalse();
    assertThat(waiters.response(response("r2"))).isFalse();
    assertThat(gone.got).isEmpty();
  }
}
