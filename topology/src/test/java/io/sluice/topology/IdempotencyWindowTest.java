package io.sluice.topology;

import static io.sluice.topology.TopologyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.dispatch.DispatchJob;
import io.sluice.events.ChatMessage;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.TraceSpan;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The idempotency window: a repeat of an answered request_id gets the first answer again. */
class IdempotencyWindowTest {
  private static final Duration WINDOW = Duration.ofHours(1);

  private TopologyFixture t =
      new TopologyFixture(
          TopologyFixture.CONFIG, TopologyFixture.SETTINGS.withIdempotencyWindow(WINDOW));

  @AfterEach
  void close() {
    t.close();
  }

  @Test
  void shouldReplayTheFirstAnswerWithoutACallWhenRepeatedWithinTheWindow() {
    // Given an answered request
    t.send(request("r1", "s1", "What is Kafka?"));
    t.complete(t.dispatcher.last(), "A log.");
    Response first = t.responses.readValue();
    t.usage.readValuesToList();
    t.traces.readValuesToList();

    // When the same request_id comes again, ten minutes later
    t.advance(Duration.ofMinutes(10));
    t.send(request("r1", "s1", "What is Kafka?"));

    // Then it is answered at once with the first answer, and no provider is called
    assertThat(t.dispatcher.jobs).hasSize(1);
    Response again = t.responses.readValue();
    assertThat(again.getReplayed()).isTrue();
    assertThat(again.getContent()).isEqualTo(first.getContent());
    assertThat(again.getAttempts()).isEqualTo(first.getAttempts());
    assertThat(again.getUsage()).isEqualTo(first.getUsage());
    assertThat(again.getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(again.getRespondedAt())
        .isEqualTo(first.getRespondedAt() + Duration.ofMinutes(10).toMillis());
    assertThat(first.getReplayed()).isFalse();
    // with no Usage record, and a span that says it is a replay
    assertThat(t.usage.isEmpty()).isTrue();
    List<TraceSpan> spans = t.traces.readValuesToList();
    assertThat(spans).extracting(TraceSpan::getName).containsExactly("replay");
    assertThat(spans.get(0).getAttributes())
        .containsEntry("replayed", "true")
        .containsEntry("original_trace_id", first.getTraceId());
    assertThat(spans.get(0).getTraceId()).isEqualTo(again.getTraceId());
  }

  @Test
  void shouldLeaveTheHistoryAsItWasWhenAReplayIsAnswered() {
    // Given an answered turn, repeated
    t.send(request("r1", "s1", "What is Kafka?"));
    t.complete(t.dispatcher.last(), "A log.");
    t.send(request("r1", "s1", "What is Kafka?"));

    // When the session's next turn is dispatched
    t.send(request("r2", "s1", "And Streams?"));

    // Then it carries the first turn once
    DispatchJob next = t.dispatcher.last();
    assertThat(next.messages())
        .extracting(ChatMessage::getContent)
        .containsExactly("What is Kafka?", "A log.", "And Streams?");
  }

  @Test
  void shouldReplayAnErrorAnswerAsItWas() {
    // Given a request answered with a provider error
    t.send(request("r1", "s1", "hello"));
    t.fail(t.dispatcher.last(), 500);
    Response first = t.responses.readValue();

    // When it is repeated
    t.send(request("r1", "s1", "hello"));

    // Then the same error comes back, and no call is made
    Response again = t.responses.readValue();
    assertThat(again.getStatus()).isEqualTo(ResponseStatus.ERROR);
    assertThat(again.getError()).isEqualTo(first.getError());
    assertThat(again.getReplayed()).isTrue();
    assertThat(t.dispatcher.jobs).hasSize(1);
  }

  @Test
  void shouldReplayToTheReplyAddressOfTheRepeat() {
    // Given an answered request
    t.sendWithReply(request("r1", "s1", "hello"), "door-a", 1);
    t.complete(t.dispatcher.last(), "hi");

    // When the client retries through another front door
    t.sendWithReply(request("r1", "s1", "hello"), "door-b", 2);

    // Then the replay goes to the new door, and the first door got only the first answer
    Response replay = t.replyTopic("door-b").readValue();
    assertThat(replay.getReplayed()).isTrue();
    assertThat(replay.getContent()).isEqualTo("hi");
    assertThat(t.replyTopic("door-a").readValuesToList()).hasSize(1);
  }

  @Test
  void shouldCallTheProviderAgainWhenRepeatedAfterTheWindow() {
    // Given a request answered more than a window ago
    t.send(request("r1", "s1", "hello"));
    t.complete(t.dispatcher.last(), "hi");
    t.advance(WINDOW.plusMinutes(1));

    // When it is repeated (created now, so its deadline is ahead)
    io.sluice.events.Request repeat = request("r1", "s1", "hello");
    repeat.setCreatedAt(t.now());
    t.send(repeat);

    // Then it is a new request: dispatched again
    assertThat(t.dispatcher.jobs).hasSize(2);
    t.complete(t.dispatcher.last(), "hi again");
    List<Response> out = t.responses.readValuesToList();
    assertThat(out).extracting(Response::getReplayed).containsExactly(false, false);
    assertThat(out).extracting(Response::getContent).containsExactly("hi", "hi again");
  }

  @Test
  void shouldCallTheProviderAgainWhenTheWindowIsZero() {
    // Given no idempotency window
    t.close();
    t = new TopologyFixture(TopologyFixture.CONFIG, TopologyFixture.SETTINGS);
    t.send(request("r1", "s1", "hello"));
    t.complete(t.dispatcher.last(), "hi");

    // When an answered request is repeated
    t.send(request("r1", "s1", "hello"));

    // Then it is dispatched again, as before the window existed
    assertThat(t.dispatcher.jobs).hasSize(2);
    assertThat(t.driver.getAllStateStores()).doesNotContainKey(SessionProcessorSupplier.ANSWERED);
  }

  @Test
  void shouldKeepAnswersInAChangeloggedStore() {
    // Given the window
    var changelog =
        t.driver.createOutputTopic(
            "sluice-test-" + SessionProcessorSupplier.ANSWERED + "-changelog",
            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            t.serdes.response().deserializer());

    // When a request is answered
    t.send(request("r1", "s1", "hello"));
    t.complete(t.dispatcher.last(), "hi");

    // Then its answer is written to the store's changelog once
    List<Response> logged = changelog.readValuesToList();
    assertThat(logged).extracting(Response::getRequestId).containsExactly("r1");
  }
}
