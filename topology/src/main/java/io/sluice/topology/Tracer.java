package io.sluice.topology;

import io.sluice.internal.PendingRequest;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the stage spans of a pending request ({@code admission}, {@code cache.lookup}, {@code
 * cache.semantic}, {@code provider.call}, {@code tool.call}, {@code respond}) as {@code
 * tracing.spans} says:
 *
 * <ul>
 *   <li>{@code all} (the default): one {@code TraceSpan} per stage, child of the root {@code
 *       request} span, as always;
 *   <li>{@code root}: no record per stage; each stage becomes attributes of the root {@code
 *       request} span instead, under {@code <name>.<n>.} for the n-th stage of that name (from 1):
 *       {@code offset_ms} (its start less the root span's start), {@code duration_ms}, {@code
 *       status} ({@code OK} or {@code ERROR}) and the stage's own attributes ({@code
 *       provider.call.1.provider}, {@code provider.call.1.cost_usd}, ...); {@code <name>.count}
 *       says how many there were, and {@code spans} is {@code root}. A request then writes one span
 *       record instead of four or more.
 * </ul>
 *
 * Stages happen in several events (admission when the request arrives, the answer's stages when its
 * completion does), so the folded attributes live in the request's {@code pending} value ({@code
 * stage_attributes}) until the answer: they ride on the store writes the request makes anyway and
 * survive a restart with it. At most {@link #MAX_ENTRIES} attributes are folded (then {@code
 * stages_truncated} is {@code true}), each value at most {@link #MAX_VALUE_CHARS} characters, so
 * the pending value and the root span stay bounded.
 */
public final class Tracer {
  /** Which spans are written: {@code tracing.spans}. */
  public enum Level {
    ALL,
    ROOT;

    /** The level a config value names ({@code all} or {@code root}); null is {@code all}. */
    public static Level parse(String value) {
      return value == null ? ALL : valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Whether {@code value} names a level. */
    public static boolean valid(String value) {
      return value == null || value.equals("all") || value.equals("root");
    }
  }

  static final int MAX_ENTRIES = 512;
  static final int MAX_VALUE_CHARS = 1024;

  private final Level level;

  Tracer(Level level) {
    this.level = level;
  }

  /**
   * A stage of {@code p} from {@code start} to {@code end}: a child span of its root, or with
   * {@code root} the root's attributes to be.
   */
  void stage(
      PendingRequest p,
      String name,
      long start,
      long end,
      boolean ok,
      Map<String, String> attrs,
      Decisions d) {
    if (level == Level.ALL) {
      d.emit(
          p.getRequest().getRequestId(),
          new SessionOutput.SpanOut(Spans.span(p, name, p.getRootSpanId(), start, end, ok, attrs)));
      return;
    }
    if (!(p.getStageAttributes() instanceof HashMap)) { // Avro's may not be changeable
      p.setStageAttributes(new HashMap<>(p.getStageAttributes()));
    }
    Map<String, String> folded = p.getStageAttributes();
    if (folded.size() + attrs.size() + 4 > MAX_ENTRIES) {
      folded.put("stages_truncated", "true");
      return;
    }
    String countKey = name + ".count";
    int n = Integer.parseInt(folded.getOrDefault(countKey, "0")) + 1;
    folded.put(countKey, String.valueOf(n));
    String prefix = name + "." + n + ".";
    attrs.forEach(
        (k, v) -> {
          if (!k.equals("model")) { // the request's model alias: the root span has it
            folded.put(
                prefix + k, v.length() > MAX_VALUE_CHARS ? v.substring(0, MAX_VALUE_CHARS) : v);
          }
        });
    // the span's own fields last: a stage attribute of the same name does not hide them
    folded.put(prefix + "offset_ms", String.valueOf(start - p.getCreatedAtMs()));
    folded.put(prefix + "duration_ms", String.valueOf(Math.max(0, end - start)));
    folded.put(prefix + "status", ok ? "OK" : "ERROR");
  }

  /** The root span's attributes: {@code attrs}, and with {@code root} every folded stage. */
  Map<String, String> root(PendingRequest p, Map<String, String> attrs) {
    if (level == Level.ROOT) {
      attrs.putAll(p.getStageAttributes());
      attrs.put("spans", "root");
    }
    return attrs;
  }
}
