package io.sluice.bench;

import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.events.RequestParams;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the load generator sends.
 *
 * <ul>
 *   <li>{@code unique}: every prompt differs and sampling is not deterministic: every request is a
 *       provider call;
 *   <li>{@code repeated}: one deterministic prompt: after the first, every request is a cache hit;
 *   <li>{@code mix}: repeated with probability {@code hitRatio}, unique otherwise;
 *   <li>{@code unique-cacheable}: every prompt differs, sampling is deterministic: every request
 *       misses the exact cache (and, with the semantic cache on, is embedded and looked up there)
 *       and is a provider call whose answer is cached;
 *   <li>{@code multi-turn}: unique prompts in {@code sessions} conversations with history, so each
 *       session has one call in flight and turns queue behind it.
 * </ul>
 *
 * Unless multi-turn, each request has its own session, so nothing queues behind anything. With a
 * {@link History}, every request carries those earlier turns before its question.
 */
public record Workload(
    String name, double hitRatio, int sessions, String model, List<ChatMessage> history) {
  private static final RequestParams SAMPLED =
      new RequestParams(0.7, 64, null, List.of(), null, Map.of());
  private static final RequestParams DETERMINISTIC =
      new RequestParams(0.0, 64, null, List.of(), null, Map.of());

  public Workload {
    if (!List.of("unique", "unique-cacheable", "repeated", "mix", "multi-turn").contains(name)) {
      throw new IllegalArgumentException(
          "workload must be unique, unique-cacheable, repeated, mix or multi-turn, not '"
              + name
              + "'");
    }
    if (hitRatio < 0 || hitRatio > 1) {
      throw new IllegalArgumentException("hit ratio must be between 0 and 1");
    }
    history = List.copyOf(history);
  }

  public Workload(String name, double hitRatio, int sessions, String model) {
    this(name, hitRatio, sessions, model, List.of());
  }

  /** This workload, with every request carrying {@code h}'s turns before its question. */
  public Workload withHistory(History h) {
    return new Workload(name, hitRatio, sessions, model, h.turns());
  }

  /** The {@code n}th request of run {@code run}. */
  Request request(String run, long n, SplittableRandom random) {
    boolean repeated =
        name.equals("repeated") || (name.equals("mix") && random.nextDouble() < hitRatio);
    String session = name.equals("multi-turn") ? run + "-s" + (n % sessions) : run + "-s" + n;
    String text = repeated ? "What is the capital of France?" : "Question " + n + " of run " + run;
    return Request.newBuilder()
        .setRequestId(run + "-" + n)
        .setSessionId(session)
        .setTenantId("bench")
        .setModel(model)
        .setMessages(messages(text))
        .setParams(repeated || name.equals("unique-cacheable") ? DETERMINISTIC : SAMPLED)
        .setUseHistory(name.equals("multi-turn"))
        .setCreatedAt(Instant.now())
        .build();
  }

  private List<ChatMessage> messages(String question) {
    ChatMessage q = new ChatMessage("user", question, null, null, List.of());
    if (history.isEmpty()) {
      return List.of(q);
    }
    List<ChatMessage> all = new java.util.ArrayList<>(history.size() + 1);
    all.addAll(history);
    all.add(q);
    return all;
  }
}
