package io.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.ResponseChunk;
import io.sluice.internal.Attempt;
import io.sluice.internal.Completion;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streamed dispatches against simulators over real HTTP, for an OpenAI-type and an Anthropic-type
 * provider: chunks in order, the stream broken after its first chunk, and broken before it.
 */
@Tag("integration")
class StreamingDispatchIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String LONG = "one two three four five six seven eight nine ten eleven";

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private LlmSimulator sim(String faults) throws Exception {
    SimFaults f = SimFaults.NONE.with(MAPPER.readTree(faults));
    LlmSimulator s = LlmSimulator.start(LlmSimulator.Options.loopback(0, f));
    open.add(s);
    return s;
  }

  private DispatcherHarness harness(String type, LlmSimulator primary, LlmSimulator backup) {
    String path = type.equals("openai") ? "/v1" : "";
    DispatcherHarness h =
        new DispatcherHarness(
            """
            providers:
              primary: {type: %s, base_url: "%s%s"}
              backup: {type: %s, base_url: "%s%s"}
            models:
              main: {deployments: [{provider: primary, model: m1}], retries: 0, fallbacks: [spare]}
              spare: {deployments: [{provider: backup, model: m2}]}
            routing: {backoff_base: 10ms, backoff_max: 50ms, breaker_window: 1000, breaker_min_calls: 1000}
            """
                .formatted(type, primary.url(), path, type, backup.url(), path));
    open.add(h);
    return h;
  }

  private static String text(List<ResponseChunk> chunks) {
    return chunks.stream().map(ResponseChunk::getDeltaContent).collect(Collectors.joining());
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "anthropic"})
  void shouldWriteChunksInOrderWhoseTextIsTheCompletionsContentWhenTheStreamIsClean(String type)
      throws Exception {
    // Given a provider streaming a long answer
    LlmSimulator sim = sim("{\"chunk-delay-ms\": 1}");
    DispatcherHarness h = harness(type, sim, sim);

    // When a streamed job is dispatched
    Completion c = h.submitAndAwait(h.streamJob("s1", "main", LONG));

    // Then the chunks, numbered from 0, spell the content and end with a clean last chunk
    List<ResponseChunk> chunks = h.chunks("s1");
    assertThat(c.getOk()).isTrue();
    assertThat(c.getContent()).isEqualTo("Echo: " + LONG);
    assertThat(chunks).hasSizeGreaterThan(3);
    assertThat(chunks).extracting(ResponseChunk::getIndex).isSorted().startsWith(0, 1, 2);
    assertThat(text(chunks)).isEqualTo(c.getContent());
    ResponseChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.getIsLast()).isTrue();
    assertThat(last.getFinishReason()).isEqualTo("stop");
    assertThat(last.getErrorCode()).isNull();
    assertThat(chunks.subList(0, chunks.size() - 1)).noneMatch(ResponseChunk::getIsLast);
    assertThat(c.getStreamedChunks()).isEqualTo(chunks.size());
    assertThat(c.getFirstTokenMs()).isEqualTo(chunks.get(0).getAtMs());
    assertThat(c.getUsage().getCompletionTokens()).isEqualTo(12);
    assertThat(
            h.registry.get("sluice.time.to.first.token").tag("provider", "primary").timer().count())
        .isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "anthropic"})
  void shouldEndWithStreamInterruptedAndThePartialContentWhenCutAfterThreeChunks(String type)
      throws Exception {
    // Given a primary that cuts its streams after 3 deltas, and a healthy fallback
    LlmSimulator primary = sim("{\"chunk-delay-ms\": 1, \"stream-cut-after\": 3}");
    LlmSimulator backup = sim("{\"chunk-delay-ms\": 1}");
    DispatcherHarness h = harness(type, primary, backup);

    // When a streamed job is dispatched
    Completion c = h.submitAndAwait(h.streamJob("s2", "main", LONG));

    // Then 3 chunks and an error last chunk went out, and no fallback was tried
    List<ResponseChunk> chunks = h.chunks("s2");
    assertThat(chunks).hasSize(4);
    assertThat(chunks).extracting(ResponseChunk::getIndex).containsExactly(0, 1, 2, 3);
    ResponseChunk last = chunks.get(3);
    assertThat(last.getIsLast()).isTrue();
    assertThat(last.getErrorCode()).isEqualTo("stream_interrupted");
    assertThat(c.getOk()).isFalse();
    assertThat(c.getError().getCode()).isEqualTo("stream_interrupted");
    assertThat(c.getError().getRetryable()).isFalse();
    assertThat(c.getStreamedChunks()).isEqualTo(4);
    assertThat(c.getContent()).isEqualTo(text(chunks)).startsWith("Echo: one two");
    assertThat(c.getContent()).isNotEqualTo("Echo: " + LONG);
    assertThat(c.getAttempts()).extracting(Attempt::getProvider).containsExactly("primary");
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "anthropic"})
  void shouldRetryOnTheFallbackAndStreamFromItOnlyWhenCutBeforeTheFirstChunk(String type)
      throws Exception {
    // Given a primary that cuts its streams right after the headers, and a healthy fallback
    LlmSimulator primary = sim("{\"chunk-delay-ms\": 1, \"stream-cut-after\": 0}");
    LlmSimulator backup = sim("{\"chunk-delay-ms\": 1}");
    DispatcherHarness h = harness(type, primary, backup);

    // When a streamed job is dispatched
    Completion c = h.submitAndAwait(h.streamJob("s3", "main", LONG));

    // Then the fallback answered, and every chunk is its own, numbered from 0
    List<ResponseChunk> chunks = h.chunks("s3");
    assertThat(c.getOk()).isTrue();
    assertThat(c.getProvider()).isEqualTo("backup");
    assertThat(c.getAttempts())
        .extracting(Attempt::getProvider)
        .containsExactly("primary", "backup");
    assertThat(chunks.get(0).getIndex()).isZero();
    assertThat(chunks).extracting(ResponseChunk::getIndex).isSorted().doesNotHaveDuplicates();
    assertThat(text(chunks)).isEqualTo("Echo: " + LONG).isEqualTo(c.getContent());
    assertThat(chunks.get(chunks.size() - 1).getIsLast()).isTrue();
  }
}
