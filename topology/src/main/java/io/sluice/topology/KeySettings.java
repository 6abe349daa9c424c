package io.sluice.topology;

import io.sluice.keys.KeyLookup;

/**
 * What ingest knows of virtual keys.
 *
 * @param lookup the keys of {@code llm.keys}, in memory (the instance's reader)
 * @param checkHeader whether a {@code sluice.key} record header is checked ({@code
 *     keys.kafka_header: check}) rather than refused
 */
public record KeySettings(KeyLookup lookup, boolean checkHeader) {
  /** No keys; a key header is refused. */
  public static KeySettings none() {
    return new KeySettings(KeyLookup.NONE, false);
  }
}
