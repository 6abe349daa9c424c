package io.sluice.topology;

import io.sluice.schema.ReplyHeaders;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The pieces of the sink that writes answers to the reply topics requests name: the topic and the
 * partition come from each {@link SessionOutput.ReplyOut}, the header {@code sluice.reply.kind:
 * response} is set on each record, and the value is written with the ids of {@link ReplySerdes}.
 *
 * <p>The topic must exist: the producer waits for its metadata ({@code max.block.ms}) before it can
 * write to a topic it has not seen, as for every topic.
 */
final class ReplySink {
  private ReplySink() {}

  private static final byte[] KIND_RESPONSE = ReplyHeaders.bytes(ReplyHeaders.KIND_RESPONSE);

  /** The reply topic each record names. */
  static TopicNameExtractor<String, SessionOutput.ReplyOut> topics() {
    return (key, reply, context) -> reply.topic();
  }

  /**
   * The reply partition each record names; without one, or with one the topic does not have, the
   * default partitioner chooses by the key (session_id).
   */
  static StreamPartitioner<String, SessionOutput.ReplyOut> partitions() {
    return (topic, key, reply, numPartitions) -> {
      Integer p = reply.partition();
      return p == null || p < 0 || p >= numPartitions ? Optional.empty() : Optional.of(Set.of(p));
    };
  }

  /** Writes the Response of each record; reply records are never read back by the topology. */
  static Serde<SessionOutput.ReplyOut> serde(ReplySerdes replies) {
    Deserializer<SessionOutput.ReplyOut> none =
        (topic, data) -> {
          throw new UnsupportedOperationException("reply records are written, not read");
        };
    return Serdes.serdeFrom((topic, reply) -> replies.response(reply.response()), none);
  }

  /** Sets the header {@code sluice.reply.kind: response}, and only it, on each record. */
  static FixedKeyProcessor<String, SessionOutput.ReplyOut, SessionOutput.ReplyOut> kind() {
    return new FixedKeyProcessor<>() {
      private FixedKeyProcessorContext<String, SessionOutput.ReplyOut> context;

      @Override
      public void init(FixedKeyProcessorContext<String, SessionOutput.ReplyOut> context) {
        this.context = context;
      }

      @Override
      public void process(FixedKeyRecord<String, SessionOutput.ReplyOut> record) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ReplyHeaders.KIND, KIND_RESPONSE);
        context.forward(record.withHeaders(headers));
      }
    };
  }
}
