package io.sluice.topology;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.header.Headers;

/**
 * The topics a request may name as its reply topic: the configured {@code topics.replies} and those
 * listed in {@code topics.reply_topics}. A request naming any other topic is answered on the
 * responses topic only, as if it had named none.
 *
 * <p>Why a list and not any topic: a producer writing to a topic that does not exist waits up to
 * {@code max.block.ms} for its metadata, on the stream thread for a Response and on an I/O thread
 * for a chunk, and Kafka Streams then fails the task, again for the same input after every restart.
 * One record naming a missing topic would stop its partition. The listed topics are created by
 * {@code sluice topics} (and {@code sluice dev}) like the others.
 */
public record ReplyTopics(Set<String> allowed, boolean any) {
  /** Any legal topic name: for tests that build a processor alone, never for a running gateway. */
  static final ReplyTopics ANY = new ReplyTopics(Set.of(), true);

  public ReplyTopics {
    allowed = Set.copyOf(allowed);
  }

  /** {@code replies} and {@code others}; blank or illegal names are left out. */
  public static ReplyTopics of(String replies, List<String> others) {
    Set<String> s = new LinkedHashSet<>();
    if (ReplyAddress.legal(replies)) {
      s.add(replies);
    }
    for (String o : others) {
      if (ReplyAddress.legal(o)) {
        s.add(o);
      }
    }
    return new ReplyTopics(s, false);
  }

  /** The reply address {@code headers} name, or null when they name none or a topic not allowed. */
  ReplyAddress address(Headers headers) {
    ReplyAddress a = ReplyAddress.of(headers);
    return a != null && (any || allowed.contains(a.topic())) ? a : null;
  }
}
