package io.sluice.dev.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters since start (or the last {@code POST /admin/reset}), served on {@code GET /stats}. */
final class SimStats {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  final LongAdder requests = new LongAdder();
  final LongAdder openai = new LongAdder();
  final LongAdder anthropic = new LongAdder();
  final LongAdder ok = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder hung = new LongAdder();
  final AtomicLong inFlight = new AtomicLong();
  final AtomicLong maxInFlight = new AtomicLong();

  void started() {
    requests.increment();
    long now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
  }

  void finished() {
    inFlight.decrementAndGet();
  }

  void reset() {
    for (LongAdder a : new LongAdder[] {requests, openai, anthropic, ok, failed, rejected, hung}) {
      a.reset();
    }
    maxInFlight.set(inFlight.get());
  }

  ObjectNode toJson() {
    return MAPPER
        .createObjectNode()
        .put("requests", requests.sum())
        .put("openai", openai.sum())
        .put("anthropic", anthropic.sum())
        .put("ok", ok.sum())
        .put("failed", failed.sum())
        .put("rejected", rejected.sum())
        .put("hung", hung.sum())
        .put("in_flight", inFlight.get())
        .put("max_in_flight", maxInFlight.get());
  }
}
