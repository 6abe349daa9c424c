package io.sluice.dispatch;

import io.sluice.events.ErrorInfo;
import io.sluice.events.TokenUsage;
import io.sluice.internal.Attempt;
import io.sluice.internal.Completion;
import io.sluice.provider.ChatResult;
import io.sluice.provider.ProviderClient;
import io.sluice.provider.ProviderFailure;
import io.sluice.routing.Deployment;
import java.util.ArrayList;
import java.util.List;

/**
 * The records a dispatch produces: an {@link Attempt} per provider call, one {@link Completion}.
 */
final class CompletionRecords {
  private CompletionRecords() {}

  /** One provider call as the completion lists it, with its tokens and cost. */
  static Attempt attempt(Deployment d, long start, long end, ProviderClient.Outcome outcome) {
    ChatResult r = outcome.result();
    ProviderFailure f = outcome.failure();
    int prompt = r == null ? 0 : r.promptTokens();
    int completion = r == null ? 0 : r.completionTokens();
    return new Attempt(
        d.provider(),
        d.providerModel(),
        start,
        end,
        r != null,
        r != null ? Integer.valueOf(200) : f.httpStatus(),
        f == null ? null : f.code(),
        prompt,
        completion,
        d.cost(prompt, completion));
  }

  /**
   * The job's completion: the answer {@code r} from {@code answered} when there is one, else the
   * error {@code f}; the cost is that of every attempt.
   */
  static Completion completion(
      DispatchJob job,
      List<Attempt> attempts,
      Deployment answered,
      ProviderFailure f,
      ChatResult r) {
    return completion(job, attempts, answered, f, r, null);
  }

  /**
   * As above; {@code streamed}: the chunks of the answer {@code r}, whose count and first time the
   * completion records.
   */
  static Completion completion(
      DispatchJob job,
      List<Attempt> attempts,
      Deployment answered,
      ProviderFailure f,
      ChatResult r,
      ChunkStream streamed) {
    double cost = attempts.stream().mapToDouble(Attempt::getCostUsd).sum();
    Completion.Builder c =
        Completion.newBuilder()
            .setRequestId(job.requestId())
            .setSessionId(job.sessionId())
            .setDispatch(job.dispatch())
            .setCostUsd(cost)
            .setAttempts(new ArrayList<>(attempts));
    if (r != null) {
      c.setOk(true)
          .setContent(r.content())
          .setToolCalls(new ArrayList<>(r.toolCalls()))
          .setFinishReason(r.finishReason())
          .setUsage(
              new TokenUsage(
                  r.promptTokens(), r.completionTokens(), r.promptTokens() + r.completionTokens()))
          .setProvider(answered.provider())
          .setProviderModel(answered.providerModel())
          .setError(null);
    } else {
      c.setOk(false)
          .setUsage(new TokenUsage(0, 0, 0))
          .setError(new ErrorInfo(f.code(), f.message(), f.retryable(), f.httpStatus(), null));
    }
    if (streamed != null) {
      c.setStreamedChunks(streamed.sent()).setFirstTokenMs(streamed.firstChunkMs());
    }
    return c.build();
  }

  /**
   * The completion of a stream that broke after its first chunk: not ok, {@code
   * stream_interrupted}, with what was streamed as its content; no retry can follow.
   */
  static Completion interrupted(
      DispatchJob job,
      List<Attempt> attempts,
      Deployment streaming,
      ProviderFailure f,
      ChunkStream streamed) {
    double cost = attempts.stream().mapToDouble(Attempt::getCostUsd).sum();
    return Completion.newBuilder()
        .setRequestId(job.requestId())
        .setSessionId(job.sessionId())
        .setDispatch(job.dispatch())
        .setCostUsd(cost)
        .setAttempts(new ArrayList<>(attempts))
        .setOk(false)
        .setContent(streamed.content())
        .setToolCalls(new ArrayList<>())
        .setFinishReason(null)
        .setProvider(streaming.provider())
        .setProviderModel(streaming.providerModel())
        .setUsage(new TokenUsage(0, 0, 0))
        .setError(
            new ErrorInfo(
                DispatchRun.STREAM_INTERRUPTED,
                "the stream broke after " + streamed.sent() + " chunks: " + f.message(),
                false,
                f.httpStatus(),
                null))
        .setStreamedChunks(streamed.sent())
        .setFirstTokenMs(streamed.firstChunkMs())
        .build();
  }
}
