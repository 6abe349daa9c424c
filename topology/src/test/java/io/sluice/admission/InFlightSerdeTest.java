package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class InFlightSerdeTest {
  private final Serde<InFlight> serde = InFlightSerde.serde();

  @Test
  void givenAnEntryWithAKeyWhenWrittenAndReadThenItIsEqual() {
    InFlight e =
        new InFlight(
            "acmé",
            "key-1",
            List.of("t:acmé", "k:key-1"),
            1_764_000_000L,
            105,
            10,
            1_764_000_120_000L,
            1_764_000_001_000L,
            1);

    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", e)))
        .isEqualTo(e);
  }

  @Test
  void givenAnEntryWithoutAKeyWhenWrittenAndReadThenTheKeyStaysNull() {
    InFlight e = new InFlight("", null, List.of("t:"), 1L, 2, 0, 3L, 0L, 0);

    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", e)))
        .isEqualTo(e);
  }

  @Test
  void givenAnEntryInTheEarlierJsonFormatWhenReadThenItIsReadAsItWas() {
    InFlight e = new InFlight("acme", null, List.of("t:acme"), 5L, 105, 0, 9L, 0L, 0);
    byte[] json = JsonSerde.of(InFlight.class).serializer().serialize("t", e);

    assertThat(serde.deserializer().deserialize("t", json)).isEqualTo(e);
  }

  @Test
  void givenATruncatedEntryWhenReadThenASerializationErrorSaysSo() {
    byte[] bytes =
        serde
            .serializer()
            .serialize("t", new InFlight("a", null, List.of("t:a"), 1, 2, 3, 4, 5, 6));
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 5);

    assertThatThrownBy(() -> serde.deserializer().deserialize("t", cut))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("in-flight");
  }
}
