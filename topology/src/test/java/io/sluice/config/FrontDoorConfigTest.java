package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FrontDoorConfigTest {
  private static final String HASH =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  private static SluiceConfig parse(String yaml) {
    return SluiceConfig.parse(yaml, "t.yaml", Map.of());
  }

  @Test
  void shouldLeaveTheFrontDoorOffWithoutItsSection() {
    assertThat(parse("topics: {partitions: 2}\n").frontDoor()).isNull();
  }

  @Test
  void shouldTakeEveryDefaultFromAnEmptySection() {
    FrontDoorSection f = parse("front_door: {}\n").frontDoor();

    assertThat(f.host()).isEqualTo("127.0.0.1");
    assertThat(f.port()).isEqualTo(4000);
    assertThat(f.auth()).isEqualTo("keys");
    assertThat(f.maxBodyBytes()).isEqualTo(8L * 1024 * 1024);
    assertThat(f.maxInFlight()).isEqualTo(10_000);
    assertThat(f.instanceId()).isZero();
    assertThat(f.readTimeout()).isEqualTo("30s");
    assertThat(f.idleTimeout()).isEqualTo("120s");
  }

  @Test
  void shouldReadEveryKeyAndTheTenantsKeyHashes() {
    SluiceConfig c =
        parse(
            """
            front_door:
              host: 0.0.0.0
              port: 4100
              auth: none
              max_in_flight: 5
              max_body_bytes: 1024
              instance_id: 3
              read_timeout: 5s
              idle_timeout: 1m
            tenants:
              acme: {api_keys: ["%s"]}
            """
                .formatted(HASH));

    FrontDoorSection f = c.frontDoor();
    assertThat(f.port()).isEqualTo(4100);
    assertThat(f.auth()).isEqualTo("none");
    assertThat(f.maxInFlight()).isEqualTo(5);
    assertThat(f.instanceId()).isEqualTo(3);
    assertThat(c.tenants().get("acme").apiKeys()).containsExactly(HASH);
    assertThat(c.tenants().get("acme").toString()).doesNotContain(HASH);
  }

  @Test
  void shouldRefuseBadValuesNamingTheKey() {
    assertThatThrownBy(() -> parse("front_door: {auth: maybe}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("front_door.auth");
    assertThatThrownBy(() -> parse("front_door: {port: 70000}\n"))
        .hasMessageContaining("front_door.port");
    assertThatThrownBy(() -> parse("front_door: {max_in_flight: 0}\n"))
        .hasMessageContaining("front_door.max_in_flight");
    assertThatThrownBy(() -> parse("front_door: {read_timeout: soon}\n"))
        .hasMessageContaining("front_door.read_timeout");
    assertThatThrownBy(() -> parse("tenants: {acme: {api_keys: [sk-plaintext]}}\n"))
        .hasMessageContaining("tenants.acme.api_keys[0]")
        .hasMessageNotContaining("sk-plaintext");
  }
}
