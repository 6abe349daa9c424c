package io.sluice.config;

/**
 * {@code keys:} virtual keys ({@code sluice keys}) beyond the front door.
 *
 * @param kafkaHeader what a {@code sluice.key} record header on {@code llm.requests} does: {@code
 *     off} (the default: a record carrying one is refused with {@code invalid_key}, since accepting
 *     it unchecked would let anyone claim a key) or {@code check} (the key is checked like the
 *     front door checks it and sets the request's tenant_id and key_id; a bad or revoked one is
 *     refused with {@code invalid_key}). Either way the header is removed and copied nowhere.
 */
public record KeysSection(String kafkaHeader) {
  public static final String HEADER_OFF = "off";
  public static final String HEADER_CHECK = "check";

  public KeysSection {
    kafkaHeader = kafkaHeader != null ? kafkaHeader : HEADER_OFF;
  }

  /** Whether a {@code sluice.key} header is checked rather than refused. */
  public boolean checkHeader() {
    return HEADER_CHECK.equals(kafkaHeader);
  }

  static void validate(KeysSection k, String p) {
    if (!HEADER_OFF.equals(k.kafkaHeader()) && !HEADER_CHECK.equals(k.kafkaHeader())) {
      throw new ConfigException(
          p + "keys.kafka_header must be off or check, not '" + k.kafkaHeader() + "'");
    }
  }
}
