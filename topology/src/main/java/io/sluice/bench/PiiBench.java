package io.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.guardrails.PiiGuard;
import io.sluice.guardrails.PiiMode;
import io.sluice.guardrails.PiiPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * The PII detector's cost per request, in this thread: the guard applied to prompts of a given
 * size, half of them with personal data of every built-in type, half without. No broker, no
 * network: the same work the front door and ingest do per request.
 */
public final class PiiBench {
  /** {@code chars}: the prompt's length; {@code messages}: how many messages each request has. */
  public record Options(
      PiiMode mode, List<String> entities, int chars, int messages, int warmup, int requests) {}

  private static final String[] WORDS =
      ("the quick brown fox jumps over a lazy dog while our team reviews order 1234 on"
              + " 2026-12-02 at 10:30, version 1.2.3, price $19.99, ticket #5521 and room 42B")
          .split(" ");
  private static final String[] PII = {
    "alice.smith@example.com",
    "+1 415 555 2671",
    "4111 1111 1111 1111",
    "DE89 3704 0044 0532 0130 00",
    "192.168.10.24",
    "2001:db8::8a2e:370:7334",
    "11010519491231002X"
  };

  private final Options options;

  public PiiBench(Options options) {
    this.options = options;
  }

  public ObjectNode run() {
    PiiGuard guard =
        new PiiPolicy(options.mode(), options.entities(), null, false, null, "bench").compile();
    SplittableRandom random = new SplittableRandom(42);
    List<Request> clean = new ArrayList<>();
    List<Request> personal = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      clean.add(request(i, random, false));
      personal.add(request(i, random, true));
    }
    Histogram cleanNs = new Histogram(3);
    Histogram piiNs = new Histogram(3);
    long sink = 0;
    for (int i = 0; i < options.warmup() + options.requests(); i++) {
      boolean withPii = (i & 1) == 1;
      Request r = (withPii ? personal : clean).get(i % 64);
      long t0 = System.nanoTime();
      sink += guard.apply(r).counts().size();
      long ns = System.nanoTime() - t0;
      if (i >= options.warmup()) {
        (withPii ? piiNs : cleanNs).recordValue(Math.max(1, ns));
      }
    }
    ObjectNode out = new ObjectMapper().createObjectNode();
    out.put("mode", options.mode().name().toLowerCase(java.util.Locale.ROOT))
        .put("entities", options.entities() == null ? "all" : String.join(",", options.entities()))
        .put("prompt_chars", options.chars())
        .put("messages", options.messages())
        .put("requests", options.requests())
        .put("found", sink);
    summary(out.putObject("without_pii"), cleanNs);
    summary(out.putObject("with_pii"), piiNs);
    return out;
  }

  private static void summary(ObjectNode o, Histogram h) {
    o.put("p50_us", h.getValueAtPercentile(50) / 1000.0)
        .put("p99_us", h.getValueAtPercentile(99) / 1000.0)
        .put("max_us", h.getMaxValue() / 1000.0)
        .put("mean_us", Math.round(h.getMean() / 10.0) / 100.0)
        .put("per_thread_per_s", h.getMean() > 0 ? Math.round(1e9 / h.getMean()) : 0);
  }

  private Request request(int i, SplittableRandom random, boolean withPii) {
    List<ChatMessage> messages = new ArrayList<>();
    for (int m = 0; m < options.messages(); m++) {
      StringBuilder sb = new StringBuilder(options.chars() + 64);
      int p = 0;
      while (sb.length() < options.chars()) {
        if (withPii && random.nextInt(40) == 0) {
          sb.append(PII[p++ % PII.length]);
        } else {
          sb.append(WORDS[random.nextInt(WORDS.length)]);
        }
        sb.append(' ');
      }
      if (withPii && p == 0) {
        sb.append(PII[i % PII.length]);
      }
      messages.add(
          ChatMessage.newBuilder()
              .setRole(m % 2 == 0 ? "user" : "assistant")
              .setContent(sb.toString())
              .build());
    }
    return Request.newBuilder()
        .setRequestId("bench-" + i)
        .setSessionId("s-" + i)
        .setTenantId("bench")
        .setModel("m")
        .setMessages(messages)
        .setPriority(5)
        .setUseHistory(true)
        .setMetadata(Map.of())
        .setStream(false)
        .build();
  }
}
