package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.Request;
import io.sluice.keys.KeySecrets;
import io.sluice.keys.KeyTable;
import io.sluice.keys.VirtualKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class IngestKeysTest {
  private static final String SECRET = "sk-sluice-header";
  private final KeyTable table = new KeyTable();
  private final IngestKeys check = new IngestKeys(new KeySettings(table, true));

  IngestKeysTest() {
    io.sluice.schema.AvroTrust.install();
    table.apply("key_1", key("key_1", SECRET, "globex", null));
  }

  private static VirtualKey key(String id, String secret, String tenant, Long revokedAt) {
    return new VirtualKey(
        id,
        KeySecrets.sha256Hex(secret),
        tenant,
        null,
        List.of("gpt"),
        null,
        null,
        null,
        null,
        null,
        1,
        revokedAt);
  }

  private static Headers withKey(String secret) {
    RecordHeaders h = new RecordHeaders();
    h.add("traceparent", "00-x".getBytes(StandardCharsets.UTF_8));
    h.add(IngestKeys.HEADER, secret.getBytes(StandardCharsets.UTF_8));
    return h;
  }

  private static Request request(String tenant) {
    Request r = TopologyFixture.request("r1", "s1", "hi");
    r.setTenantId(tenant);
    return r;
  }

  @Test
  void shouldRemoveTheKeyHeaderAndSetTenantAndKeyIdFromAGoodKey() {
    // Given a record with a good key in its header
    Headers h = withKey(SECRET);

    // When ingest screens it, then admits its request
    check.screen(h);
    assertThat(h.headers(IngestKeys.HEADER)).isEmpty();
    assertThat(h.lastHeader("traceparent")).isNotNull();
    Request r = request("claimed");
    var rejection = check.admit(r, IngestKeys.verdict(h));

    // Then the key names the tenant and key_id, and no key header or verdict is left
    assertThat(rejection).isEmpty();
    assertThat(r.getTenantId()).isEqualTo("globex");
    assertThat(r.getKeyId()).isEqualTo("key_1");
    assertThat(h.headers(IngestKeys.VERDICT)).isEmpty();
    for (var header : h) {
      assertThat(new String(header.value(), StandardCharsets.UTF_8)).doesNotContain(SECRET);
    }
  }

  @Test
  void shouldRefuseAnUnknownOrRevokedKeyWithInvalidKey() {
    Headers unknown = withKey("sk-sluice-wrong");
    check.screen(unknown);
    assertThat(check.admit(request("t"), IngestKeys.verdict(unknown)))
        .hasValueSatisfying(
            rej -> {
              assertThat(rej.code()).isEqualTo("invalid_key");
              assertThat(rej.message()).doesNotContain("sk-sluice-wrong");
            });

    table.apply("key_1", key("key_1", SECRET, "globex", 7L));
    Headers revoked = withKey(SECRET);
    check.screen(revoked);
    assertThat(check.admit(request("t"), IngestKeys.verdict(revoked)))
        .hasValueSatisfying(rej -> assertThat(rej.code()).isEqualTo("invalid_key"));
  }

  @Test
  void shouldRefuseAKeyHeaderWhenCheckingIsOff() {
    IngestKeys off = new IngestKeys(new KeySettings(table, false));
    Headers h = withKey(SECRET);
    off.screen(h);
    assertThat(h.headers(IngestKeys.HEADER)).isEmpty();
    assertThat(off.admit(request("t"), IngestKeys.verdict(h)))
        .hasValueSatisfying(rej -> assertThat(rej.message()).contains("keys.kafka_header"));
  }

  @Test
  void shouldNotTrustAVerdictHeaderAProducerWrote() {
    // Given a producer that writes the internal verdict header itself, naming someone's key
    RecordHeaders h = new RecordHeaders();
    h.add(IngestKeys.VERDICT, "key_1".getBytes(StandardCharsets.UTF_8));

    // When ingest screens the record, the forged verdict is gone
    check.screen(h);
    Request r = request("claimed");
    assertThat(check.admit(r, IngestKeys.verdict(h))).isEmpty();
    assertThat(r.getTenantId()).isEqualTo("claimed");
    assertThat(r.getKeyId()).isNull();
  }

  @Test
  void shouldEnforceARevokedOrForeignOrRestrictedKeyIdWrittenByAProducer() {
    Request foreign = request("claimed");
    foreign.setKeyId("key_1");
    assertThat(check.admit(foreign, null))
        .hasValueSatisfying(rej -> assertThat(rej.code()).isEqualTo("invalid_key"));

    Request restricted = request("globex");
    restricted.setKeyId("key_1");
    restricted.setModel("claude");
    assertThat(check.admit(restricted, null))
        .hasValueSatisfying(rej -> assertThat(rej.code()).isEqualTo("model_not_allowed"));

    Request unknownId = request("globex");
    unknownId.setKeyId("key_not_read_yet");
    assertThat(check.admit(unknownId, null)).isEmpty();
  }
}
