package io.sluice.cli;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.search.Search;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** What {@code sluice bench --semantic} adds to its report: lookups by outcome, embedding time. */
final class SemanticReport {
  private SemanticReport() {}

  static void print(MeterRegistry registry, PrintStream out) {
    StringBuilder b = new StringBuilder("semantic cache (whole run, warm-up included): lookups");
    for (Counter c : Search.in(registry).name("sluice.semantic.lookups").counters()) {
      b.append(' ').append(c.getId().getTag("outcome")).append(' ').append((long) c.count());
    }
    Timer t = Search.in(registry).name("sluice.semantic.embed").timer();
    if (t != null) {
      b.append(String.format(Locale.ROOT, "; embedded %d prompts", t.count()));
      for (ValueAtPercentile p : t.takeSnapshot().percentileValues()) {
        b.append(
            String.format(
                Locale.ROOT,
                ", p%.0f %.2f ms",
                p.percentile() * 100,
                p.value(TimeUnit.NANOSECONDS) / 1e6));
      }
    }
    out.println(b);
  }
}
