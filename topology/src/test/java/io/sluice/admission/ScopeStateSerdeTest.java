package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class ScopeStateSerdeTest {
  private final Serde<ScopeState> serde = ScopeStateSerde.serde();

  private static ScopeState full() {
    ScopeState s = new ScopeState();
    s.inFlight = 7;
    s.periodStartMs = 1_764_547_200_000L;
    s.spendUsd = 0.056;
    for (long sec = 1000; sec < 1000 + SlidingWindow.SECONDS; sec++) {
      s.requests.add(sec, sec % 5 + 1);
      s.tokens.add(sec, 43 * (sec % 7 + 1));
    }
    return s;
  }

  @Test
  void givenAFullStateWhenWrittenAndReadThenEveryFieldAndBucketComesBack() {
    ScopeState s = full();

    byte[] bytes = serde.serializer().serialize("t", s);
    ScopeState back = serde.deserializer().deserialize("t", bytes);

    assertThat(bytes.length).isEqualTo(ScopeStateSerde.MAX_BYTES);
    assertThat(back.inFlight).isEqualTo(7);
    assertThat(back.periodStartMs).isEqualTo(s.periodStartMs);
    assertThat(back.spendUsd).isEqualTo(0.056);
    assertThat(back.requests.buckets).isEqualTo(s.requests.buckets);
    assertThat(back.tokens.buckets).isEqualTo(s.tokens.buckets);
  }

  @Test
  void givenAValueInTheEarlierJsonFormatWhenReadThenItIsReadAsItWas() {
    ScopeState s = full();
    byte[] json = JsonSerde.of(ScopeState.class).serializer().serialize("t", s);

    ScopeState back = serde.deserializer().deserialize("t", json);

    assertThat(back.inFlight).isEqualTo(7);
    assertThat(back.spendUsd).isEqualTo(0.056);
    assertThat(back.tokens.buckets).isEqualTo(s.tokens.buckets);
  }

  @Test
  void givenAnEmptyStateWhenWrittenThenItIsSmallAndReadsBackEmpty() {
    byte[] bytes = serde.serializer().serialize("t", new ScopeState());

    assertThat(bytes).hasSize(29);
    assertThat(serde.deserializer().deserialize("t", bytes).tokens.buckets).isEmpty();
  }

  @Test
  void givenBytesOfNoKnownFormatWhenReadThenASerializationErrorSaysSo() {
    byte[] junk = "\u0009garbage".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> serde.deserializer().deserialize("t", junk))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("version 9");
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {1, 0, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("cannot read admission counters");
  }
}
