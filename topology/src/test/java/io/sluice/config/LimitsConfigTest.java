package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LimitsConfigTest {
  private static SluiceConfig parse(String yaml) {
    return SluiceConfig.parse(yaml, "t.yaml", Map.of());
  }

  @Test
  void shouldReadATenantsLimits() {
    // Given a tenant with every limit; When parsed
    SluiceConfig.TenantConfig t =
        parse(
                "tenants:\n  acme: {rpm: 100, tpm: 50000, max_parallel: 8, budget_usd: 25.5,"
                    + " budget_period: day}\n")
            .tenants()
            .get("acme");

    // Then they are all there
    assertThat(t.rpm()).isEqualTo(100L);
    assertThat(t.tpm()).isEqualTo(50_000L);
    assertThat(t.maxParallel()).isEqualTo(8);
    assertThat(t.budgetUsd()).isEqualTo(25.5);
    assertThat(t.budgetPeriod()).isEqualTo("day");
    assertThat(t.hasLimits()).isTrue();
  }

  @Test
  void shouldTakeAMonthlyBudgetWhenThePeriodIsLeftOut() {
    assertThat(parse("tenants:\n  acme: {budget_usd: 10}\n").tenants().get("acme").budgetPeriod())
        .isEqualTo("month");
  }

  @Test
  void shouldPutTheAdmissionStageInOnlyWhenATenantHasLimitsByDefault() {
    assertThat(parse("tenants:\n  acme: {models: [\"*\"]}\n").admissionEnabled()).isFalse();
    assertThat(parse("tenants:\n  acme: {rpm: 5}\n").admissionEnabled()).isTrue();
    assertThat(parse("topics: {partitions: 2}\n").admissionEnabled()).isFalse();
  }

  @Test
  void givenVirtualKeysInUse_whenLimitsAreAuto_thenTheStageIsInForTheKeysLimits() {
    // a key created later may carry limits: the stage must be there from the start
    assertThat(parse("keys: {kafka_header: check}\n").admissionEnabled()).isTrue();
    assertThat(parse("front_door: {auth: keys}\n").admissionEnabled()).isTrue();
    assertThat(parse("front_door: {auth: none}\n").admissionEnabled()).isFalse();
    assertThat(
            parse("keys: {kafka_header: check}\nadmission: {limits: \"off\"}\n").admissionEnabled())
        .isFalse();
  }

  @Test
  void shouldReadABareOnAndOffAsTheModes() {
    // YAML 1.1 reads on and off unquoted as booleans
    assertThat(parse("admission: {limits: on}\n").admission().limits()).isEqualTo("on");
    assertThat(parse("admission: {limits: on}\n").admissionEnabled()).isTrue();
    assertThat(parse("admission: {limits: off}\n").admission().limits()).isEqualTo("off");
    assertThat(parse("admission: {limits: \"off\"}\n").admissionEnabled()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "tenants: {acme: {rpm: 0}}| tenants.acme.rpm must be > 0",
        "tenants: {acme: {tpm: -1}}| tenants.acme.tpm must be > 0",
        "tenants: {acme: {max_parallel: 0}}| tenants.acme.max_parallel must be > 0",
        "tenants: {acme: {budget_usd: 0}}| tenants.acme.budget_usd must be > 0",
        "tenants: {acme: {budget_usd: 5, budget_period: week}}| tenants.acme.budget_period must be"
            + " day or month",
        "tenants: {acme: {budget_period: day}}| tenants.acme.budget_period needs",
        "tenants: {acme: {rpm: ten}}| tenants.acme.rpm",
        "admission: {limits: maybe}| admission.limits must be auto, on or off",
        "admission: {default_max_tokens: 0}| admission.default_max_tokens must be > 0",
        "{admission: {limits: off}, tenants: {acme: {rpm: 5}}}| tenants.acme has limits, but"
            + " admission.limits is off"
      })
  void shouldRefuseABadLimitNamingItsKey(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml + "\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message.strip());
  }
}
