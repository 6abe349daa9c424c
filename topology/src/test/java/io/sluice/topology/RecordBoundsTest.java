package io.sluice.topology;

import static io.sluice.topology.TopologyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.Usage;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every record the session processor and ingest write stays under the record limit, whatever the
 * size of a request or an answer (the defaults: records of at most 1,000,000 bytes, histories of at
 * most 500,000, cache entries of at most 262,144).
 */
class RecordBoundsTest {
  private static final long MAX_RECORD_BYTES = 1_000_000;
  private static final long MAX_HISTORY_BYTES = 500_000;
  private TopologyFixture t = new TopologyFixture();

  @AfterEach
  void close() {
    t.close();
  }

  private KeyValueStore<String, SessionState> sessions() {
    return t.driver.getKeyValueStore(SessionProcessorSupplier.SESSIONS);
  }

  private KeyValueStore<String, PendingRequest> pending() {
    return t.driver.getKeyValueStore(SessionProcessorSupplier.PENDING);
  }

  private long bytes(SessionState st) {
    return t.serdes.session().serialize("sessions", st).length;
  }

  private static Request withHistory(String id, String session, String text) {
    Request r = request(id, session, text);
    r.setUseHistory(true);
    return r;
  }

  @Test
  void givenA600000CharacterPromptWhenItIsAnsweredWithAnEchoThenTheTurnIsKeptOutOfTheHistory() {
    // Given the report's request: one user message of 600,000 characters, answered with an echo
    String prompt = "x".repeat(600_000);
    t.send(withHistory("big", "s1", "hello"));
    t.complete(t.dispatcher.last(), "hi");
    t.send(withHistory("r-big", "s1", prompt));

    // When the provider echoes it
    t.complete(t.dispatcher.last(), prompt);

    // Then it is answered, and the session record stays under its bound without that turn
    List<Response> out = t.responses.readValuesToList();
    assertThat(out).extracting(Response::getStatus).containsOnly(ResponseStatus.OK);
    assertThat(out).hasSize(2);
    SessionState st = sessions().get("s1");
    assertThat(bytes(st)).isLessThanOrEqualTo(MAX_HISTORY_BYTES + 1_000);
    assertThat(st.getHistory()).extracting(ChatMessage::getContent).containsExactly("hello", "hi");
    // and the next request of the session is sent the history without it
    t.send(withHistory("r3", "s1", "and now?"));
    DispatchJob next = t.dispatcher.last();
    assertThat(next.messages())
        .extracting(ChatMessage::getContent)
        .containsExactly("hello", "hi", "and now?");
  }

  @Test
  void givenTwelve100KbTurnsWhenEachIsAnsweredThenTheHistoryIsTrimmedByBytesOldestFirst() {
    // Given a session that may keep 50 messages by count
    t.close();
    t =
        new TopologyFixture(
            TopologyFixture.CONFIG,
            new SessionSettings(
                50,
                TopologyFixture.SETTINGS.defaultTimeout(),
                TopologyFixture.SETTINGS.idleTtl(),
                TopologyFixture.SETTINGS.orphanAfter(),
                TopologyFixture.SETTINGS.tick(),
                false));
    // When twelve turns of 100 KB are answered
    for (int i = 0; i < 12; i++) {
      String text = (char) ('a' + i) + "-".repeat(100_000);
      t.send(withHistory("r" + i, "s1", text));
      t.complete(t.dispatcher.last(), "answer " + i);
    }

    // Then all are answered, and the history holds the newest turns within its byte bound
    assertThat(t.responses.readValuesToList())
        .hasSize(12)
        .extracting(Response::getStatus)
        .containsOnly(ResponseStatus.OK);
    SessionState st = sessions().get("s1");
    assertThat(bytes(st)).isLessThanOrEqualTo(MAX_HISTORY_BYTES + 1_000);
    assertThat(st.getHistory()).hasSizeBetween(8, 10); // four or five turns of 100 KB
    assertThat(st.getHistory().get(st.getHistory().size() - 1).getContent()).isEqualTo("answer 11");
    assertThat(st.getHistory().get(st.getHistory().size() - 2).getContent()).startsWith("l-");
  }

  @Test
  void givenARequestTooLargeToStoreWhenItArrivesThenItIsRejectedNamingSizeAndLimit() {
    t.send(request("huge", "s1", "y".repeat(1_000_000)));

    Response r = t.responses.readValue();
    assertThat(r.getStatus()).isEqualTo(ResponseStatus.REJECTED);
    assertThat(r.getError().getCode()).isEqualTo("request_too_large");
    assertThat(r.getError().getMessage()).contains("bytes").contains("kafka.max_record_bytes");
    assertThat(t.dispatcher.jobs).isEmpty();
    assertThat(pending().approximateNumEntries()).isZero();
  }

  @Test
  void
      givenAnAnswerTooLargeToWriteWhenItArrivesThenTheRequestEndsWithResponseTooLargeAndItsUsage() {
    t.send(request("r1", "s1", "write a lot"));

    t.complete(t.dispatcher.last(), "z".repeat(1_200_000));

    Response r = t.responses.readValue();
    assertThat(r.getStatus()).isEqualTo(ResponseStatus.ERROR);
    assertThat(r.getError().getCode()).isEqualTo("response_too_large");
    assertThat(r.getContent()).isNull();
    assertThat(r.getUsage().getTotalTokens()).isEqualTo(9);
    assertThat(t.serdes.response().serialize("llm.responses", r).length)
        .isLessThan((int) MAX_RECORD_BYTES);
    List<Usage> usage = t.usage.readValuesToList();
    assertThat(usage).hasSize(1);
    assertThat(usage.get(0).getPromptTokens()).isEqualTo(7);
    assertThat(t.cache.isEmpty()).isTrue();
    assertThat(pending().approximateNumEntries()).isZero();
  }

  @Test
  void givenACacheableAnswerOverTheCacheEntryBoundWhenItArrivesThenItIsAnsweredButNotCached() {
    Request r = request("r1", "s1", "a long deterministic answer");
    r.setParams(new RequestParams(0.0, null, null, List.of(), null, Map.of()));
    t.send(r);

    t.complete(t.dispatcher.last(), "c".repeat(300_000));

    assertThat(t.responses.readValue().getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(t.cache.isEmpty()).isTrue();
  }

  @Test
  void givenAnAnswerUnderTheCacheEntryBoundWhenItArrivesThenItIsCached() {
    Request r = request("r1", "s1", "a short deterministic answer");
    r.setParams(new RequestParams(0.0, null, null, List.of(), null, Map.of()));
    t.send(r);

    t.complete(t.dispatcher.last(), "c".repeat(200_000));

    assertThat(t.cache.readValuesToList()).hasSize(1);
  }
}
