package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.guardrails.PiiGuards;
import io.sluice.guardrails.PiiMode;
import io.sluice.guardrails.PiiPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GuardrailsConfigTest {
  private static SluiceConfig parse(String yaml) {
    return SluiceConfig.parse(yaml, "test.yaml", Map.of("PII_KEY", "secret"));
  }

  @Test
  void shouldLeaveRedactionOffByDefault() {
    PiiGuards guards = Guardrails.pii(parse("http: {port: 8080}\n"));
    assertThat(guards.allOff()).isTrue();
    assertThat(guards.forTenant("anyone").mode()).isEqualTo(PiiMode.OFF);
  }

  @Test
  void shouldReadTheGlobalSettingsAndLetATenantOverrideThemKeyByKey() {
    SluiceConfig c =
        parse(
            """
            guardrails:
              pii:
                mode: mask
                entities: [email, phone, ticket]
                custom: {ticket: "TCK-\\\\d{4}"}
                restore: true
                phone_region: DE
                key: ${PII_KEY}
            tenants:
              acme: {models: ["*"]}
              bank: {guardrails: {pii: {mode: block, entities: [iban]}}}
              quiet: {guardrails: {pii: {mode: off}}}
            """);
    PiiGuards guards = Guardrails.pii(c);
    PiiPolicy acme = guards.forTenant("acme").policy();
    assertThat(acme.mode()).isEqualTo(PiiMode.MASK);
    assertThat(acme.entities()).containsExactly("email", "phone", "ticket");
    assertThat(acme.restore()).isTrue();
    assertThat(acme.phoneRegion()).isEqualTo("DE");
    assertThat(acme.key()).isEqualTo("secret");
    PiiPolicy bank = guards.forTenant("bank").policy();
    assertThat(bank.mode()).isEqualTo(PiiMode.BLOCK);
    assertThat(bank.entities()).containsExactly("iban");
    // what the tenant leaves out it takes from the global section
    assertThat(bank.custom()).containsKey("ticket");
    assertThat(bank.restore()).isTrue();
    assertThat(bank.key()).isEqualTo("secret");
    // an unquoted off (a YAML 1.1 boolean) still means off
    assertThat(guards.forTenant("quiet").mode()).isEqualTo(PiiMode.OFF);
    assertThat(guards.forTenant("unknown").mode()).isEqualTo(PiiMode.MASK);
    assertThat(c.toString()).doesNotContain("secret");
  }

  @Test
  void shouldNameTheKeyOfEveryBadSetting() {
    assertThatThrownBy(() -> parse("guardrails: {pii: {mode: redact}}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("guardrails.pii.mode must be off, mask or block, not 'redact'");
    assertThatThrownBy(
            () -> parse("guardrails: {pii: {mode: mask, custom: {order: \"ORD-(\\\\d\"}}}\n"))
        .hasMessageContaining("guardrails.pii.custom.order: not a valid regex");
    assertThatThrownBy(() -> parse("guardrails: {pii: {entities: [email, ssn]}}\n"))
        .hasMessageContaining("guardrails.pii.entities[1]: unknown entity type 'ssn'");
    assertThatThrownBy(() -> parse("guardrails: {pii: {phone_region: Mars}}\n"))
        .hasMessageContaining("guardrails.pii.phone_region");
    assertThatThrownBy(() -> parse("guardrails: {pii: {mode: mask, colour: red}}\n"))
        .hasMessageContaining("unknown key 'guardrails.pii.colour'");
    assertThatThrownBy(() -> parse("tenants: {t1: {guardrails: {pii: {custom: {x: \"[\"}}}}}\n"))
        .hasMessageContaining("tenants.t1.guardrails.pii.custom.x: not a valid regex");
    assertThatThrownBy(() -> parse("tenants: {t1: {guardrails: {pii: {key: abc}}}}\n"))
        .hasMessageContaining("tenants.t1.guardrails.pii.key");
    assertThatThrownBy(() -> parse("tenants: {t1: {guardrails: {pii: {mode: maybe}}}}\n"))
        .hasMessageContaining("tenants.t1.guardrails.pii.mode");
  }

  @Test
  void shouldListEveryBuiltInEntityOfTheContract() {
    assertThat(PiiPolicy.BUILT_IN)
        .containsExactlyInAnyOrderElementsOf(
            List.of("email", "phone", "credit_card", "iban", "ip_address", "cn_resident_id"));
  }
}
