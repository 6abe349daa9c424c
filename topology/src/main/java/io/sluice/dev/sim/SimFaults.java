package io.sluice.dev.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * The simulator's behaviour that can change at run time ({@code POST /admin/faults}), with the same
 * names as the {@code sluice sim} flags.
 *
 * @param latencyMs added before every answer
 * @param jitterMs up to this much more, uniformly at random
 * @param failRate the fraction of calls that fail, spread evenly (0.5: every second call)
 * @param failStatus the HTTP status of a failure (429 comes with {@code Retry-After}), or {@code
 *     hang}: no answer at all, so the client's timeout fires
 * @param retryAfterS the {@code Retry-After} seconds sent with 429 and 503
 * @param contextWindow prompts with more tokens get a context-window error; 0 for no limit
 * @param failLatencyMs added before every injected failure instead of {@code latencyMs}, or {@link
 *     #SAME_LATENCY} for {@code latencyMs}: a brown-out answers its 503s fast and the rest slowly
 * @param chunkDelayMs between two events of a streamed answer ({@code stream: true})
 * @param streamCutAfter a streamed answer's connection is cut after this many delta events (0:
 *     right after the response headers), or {@link #NO_CUT}
 */
public record SimFaults(
    long latencyMs,
    long jitterMs,
    double failRate,
    String failStatus,
    long retryAfterS,
    int contextWindow,
    long failLatencyMs,
    long chunkDelayMs,
    int streamCutAfter) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** {@code streamCutAfter} unset: streams end cleanly. */
  public static final int NO_CUT = -1;

  /** The default pause between the events of a streamed answer. */
  public static final long DEFAULT_CHUNK_DELAY_MS = 10;

  /** {@code failLatencyMs} unset: failures wait {@code latencyMs} like answers. */
  public static final long SAME_LATENCY = -1;

  public static final SimFaults NONE = new SimFaults(0, 0, 0.0, "500", 1, 0);

  public SimFaults {
    if (latencyMs < 0 || jitterMs < 0) {
      throw new IllegalArgumentException("latency-ms and jitter-ms must be >= 0");
    }
    if (failLatencyMs < 0 && failLatencyMs != SAME_LATENCY) {
      throw new IllegalArgumentException("fail-latency-ms must be >= 0");
    }
    if (failRate < 0 || failRate > 1 || Double.isNaN(failRate)) {
      throw new IllegalArgumentException("fail-rate must be between 0 and 1, not " + failRate);
    }
    if (!failStatus.equals("hang")) {
      int status;
      try {
        status = Integer.parseInt(failStatus);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "fail-status must be an HTTP status (400-599) or 'hang', not '" + failStatus + "'");
      }
      if (status < 400 || status > 599) {
        throw new IllegalArgumentException("fail-status must be 400-599 or 'hang', not " + status);
      }
    }
    if (retryAfterS < 0 || contextWindow < 0) {
      throw new IllegalArgumentException("retry-after-s and context-window must be >= 0");
    }
    if (chunkDelayMs < 0) {
      throw new IllegalArgumentException("chunk-delay-ms must be >= 0");
    }
    if (streamCutAfter < 0 && streamCutAfter != NO_CUT) {
      throw new IllegalArgumentException("stream-cut-after must be >= 0");
    }
  }

  /** Faults with the default stream behaviour: a short pause between events, no cut. */
  public SimFaults(
      long latencyMs,
      long jitterMs,
      double failRate,
      String failStatus,
      long retryAfterS,
      int contextWindow,
      long failLatencyMs) {
    this(
        latencyMs,
        jitterMs,
        failRate,
        failStatus,
        retryAfterS,
        contextWindow,
        failLatencyMs,
        DEFAULT_CHUNK_DELAY_MS,
        NO_CUT);
  }

  /** Faults whose failures wait as long as answers ({@code fail-latency-ms} unset). */
  public SimFaults(
      long latencyMs,
      long jitterMs,
      double failRate,
      String failStatus,
      long retryAfterS,
      int contextWindow) {
    this(latencyMs, jitterMs, failRate, failStatus, retryAfterS, contextWindow, SAME_LATENCY);
  }

  /** The delay before an injected failure, before jitter. */
  public long failureDelayMs() {
    return failLatencyMs == SAME_LATENCY ? latencyMs : failLatencyMs;
  }

  public boolean hangs() {
    return failStatus.equals("hang");
  }

  public int status() {
    return hangs() ? 0 : Integer.parseInt(failStatus);
  }

  /** This with the fields present in {@code patch} (dashed or underscored names) replaced. */
  public SimFaults with(JsonNode patch) {
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      String key = e.getKey().replace('_', '-');
      if (!java.util.List.of(
              "latency-ms",
              "jitter-ms",
              "fail-rate",
              "fail-status",
              "retry-after-s",
              "context-window",
              "fail-latency-ms",
              "chunk-delay-ms",
              "stream-cut-after")
          .contains(key)) {
        throw new IllegalArgumentException("unknown fault '" + e.getKey() + "'");
      }
    }
    return new SimFaults(
        longOf(patch, "latency-ms", latencyMs),
        longOf(patch, "jitter-ms", jitterMs),
        node(patch, "fail-rate") == null ? failRate : node(patch, "fail-rate").asDouble(),
        node(patch, "fail-status") == null ? failStatus : node(patch, "fail-status").asText(),
        longOf(patch, "retry-after-s", retryAfterS),
        (int) longOf(patch, "context-window", contextWindow),
        node(patch, "fail-latency-ms") != null && node(patch, "fail-latency-ms").isNull()
            ? SAME_LATENCY
            : longOf(patch, "fail-latency-ms", failLatencyMs),
        longOf(patch, "chunk-delay-ms", chunkDelayMs),
        node(patch, "stream-cut-after") != null && node(patch, "stream-cut-after").isNull()
            ? NO_CUT
            : (int) longOf(patch, "stream-cut-after", streamCutAfter));
  }

  private static JsonNode node(JsonNode patch, String dashed) {
    JsonNode n = patch.get(dashed);
    return n != null ? n : patch.get(dashed.replace('-', '_'));
  }

  private static long longOf(JsonNode patch, String key, long current) {
    JsonNode n = node(patch, key);
    if (n == null) {
      return current;
    }
    if (!n.canConvertToLong() || !n.isNumber()) {
      throw new IllegalArgumentException(key + " must be a number");
    }
    return n.asLong();
  }

  public ObjectNode toJson() {
    ObjectNode json =
        MAPPER
            .createObjectNode()
            .put("latency-ms", latencyMs)
            .put("jitter-ms", jitterMs)
            .put("fail-rate", failRate)
            .put("fail-status", failStatus)
            .put("retry-after-s", retryAfterS)
            .put("context-window", contextWindow);
    if (failLatencyMs == SAME_LATENCY) {
      json.putNull("fail-latency-ms");
    } else {
      json.put("fail-latency-ms", failLatencyMs);
    }
    json.put("chunk-delay-ms", chunkDelayMs);
    if (streamCutAfter == NO_CUT) {
      json.putNull("stream-cut-after");
    } else {
      json.put("stream-cut-after", streamCutAfter);
    }
    return json;
  }
}
