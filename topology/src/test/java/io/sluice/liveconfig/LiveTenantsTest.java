package io.sluice.liveconfig;

import static io.sluice.liveconfig.LiveTestFiles.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.admission.TenantLimits;
import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import io.sluice.frontdoor.auth.ApiKeyAuthenticator;
import io.sluice.guardrails.PiiGuards;
import io.sluice.guardrails.PiiMode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tenants' limits, the PII guards and the front door's configured keys follow the version in
 * force: built once when a version is applied, answered from memory, kept when a version is
 * refused.
 */
class LiveTenantsTest {
  private static final String KEY_A = ApiKeyAuthenticator.sha256Hex("sk-acme-1");
  private static final String KEY_B = ApiKeyAuthenticator.sha256Hex("sk-beta-1");

  private static final String BOOTSTRAP =
      """
      kafka: {application_id: live-tenants-test}
      providers: {a: {type: openai, base_url: "http://127.0.0.1:1/v1"}}
      models: {gpt: {deployments: [{provider: a, model: m}]}}
      tenants:
        acme: {models: [gpt], rpm: 100, api_keys: ["%s"]}
        beta: {models: [gpt]}
      http: {port: 0}
      """
          .formatted(KEY_A);

  /** acme's rpm lowered to 5 and its key replaced by beta's; PII masked for beta. */
  private static final String V1 =
      """
      providers: {a: {type: openai, base_url: "http://127.0.0.1:1/v1"}}
      models: {gpt: {deployments: [{provider: a, model: m}]}}
      tenants:
        acme: {models: [gpt], rpm: 5, tpm: 1000}
        beta: {models: [gpt], api_keys: ["%s"], guardrails: {pii: {mode: mask}}}
      """
          .formatted(KEY_B);

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private static SluiceConfig parse(String yaml) {
    return SluiceConfig.parse(yaml, "bootstrap.yaml", Map.of());
  }

  @Test
  void shouldAnswerTheLimitsGuardsAndKeysOfTheVersionInForce() {
    // Given an instance started with acme at rpm 100, acme's key, and PII off
    ConfigInForce live = ConfigInForce.startingWith(parse(BOOTSTRAP));
    ConfigFollower follower = new ConfigFollower(live, meters, Map::of);
    TenantLimits limits = live.limits();
    PiiGuards pii = live.pii();
    assertThat(limits.forTenant("acme").rpm()).isEqualTo(100L);
    assertThat(pii.allOff()).isTrue();
    assertThat(live.apiKeys()).containsExactly(Map.entry(KEY_A, "acme"));

    // When version 1 lowers acme's rpm, masks beta's PII and moves the key
    follower.offer(version(1, V1));

    // Then the views handed out at start answer with version 1
    assertThat(live.current().version()).isEqualTo(1);
    assertThat(limits.forTenant("acme").rpm()).isEqualTo(5L);
    assertThat(limits.forTenant("acme").tpm()).isEqualTo(1000L);
    assertThat(limits.forTenant("beta").none()).isTrue();
    assertThat(limits.forTenant("nobody").none()).isTrue();
    assertThat(pii.allOff()).isFalse();
    assertThat(pii.forTenant("beta").mode()).isEqualTo(PiiMode.MASK);
    assertThat(pii.forTenant("acme").mode()).isEqualTo(PiiMode.OFF);
    assertThat(live.apiKeys()).containsExactly(Map.entry(KEY_B, "beta"));
    // built once for the version, not per call
    assertThat(live.current().pii()).isSameAs(live.current().pii());
    assertThat(pii.now()).isSameAs(live.current().pii());
  }

  @Test
  void shouldKeepTheLimitsGuardsAndKeysItHadWhenAVersionIsRefused() {
    // Given version 1 in force
    ConfigInForce live = ConfigInForce.startingWith(parse(BOOTSTRAP));
    ConfigFollower follower = new ConfigFollower(live, meters, Map::of);
    follower.offer(version(1, V1));

    // When version 2 does not validate here (an rpm of 0) and version 3 names a variable not set
    follower.offer(version(2, V1.replace("rpm: 5", "rpm: 0")));
    follower.offer(
        version(
            3, V1.replace("rpm: 5", "rpm: 1").replace("api_keys: [", "api_keys: [\"${NOPE}\", ")));

    // Then version 1's limits, guards and keys stay in force
    assertThat(meters.counter("sluice.config.refused").count()).isEqualTo(2);
    assertThat(live.current().version()).isEqualTo(1);
    assertThat(live.limits().forTenant("acme").rpm()).isEqualTo(5L);
    assertThat(live.pii().forTenant("beta").mode()).isEqualTo(PiiMode.MASK);
    assertThat(live.apiKeys()).containsOnlyKeys(KEY_B);
  }

  @Test
  void shouldRefuseLimitsOnAnInstanceStartedWithoutTheAdmissionStage() {
    // Given an instance whose file has no tenant limits and no keys (admission.limits: auto)
    SluiceConfig noLimits = parse(BOOTSTRAP.replace(", rpm: 100", ""));
    assertThat(noLimits.admissionEnabled()).isFalse();
    ConfigInForce live = ConfigInForce.startingWith(noLimits);
    ConfigFollower follower = new ConfigFollower(live, meters, Map::of);

    // When a version gives acme limits
    follower.offer(version(1, V1));

    // Then it is refused, naming the tenant and what to do, and the instance keeps its file
    assertThat(live.current().version()).isZero();
    assertThat(meters.counter("sluice.config.refused").count()).isEqualTo(1);
    assertThat(live.pii().allOff()).isTrue();
    assertThatThrownBy(() -> VersionApplier.prepare(noLimits, version(1, V1), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("llm.config version 1: tenants.acme has limits")
        .hasMessageContaining("set admission.limits: on in the instance's file and restart it");

    // and a version without limits (PII for beta) is applied there as usual
    follower.offer(version(2, V1.replace("rpm: 5, tpm: 1000", "rpm: null")));
    assertThat(live.current().version()).isEqualTo(2);
    assertThat(live.pii().forTenant("beta").mode()).isEqualTo(PiiMode.MASK);
  }

  @Test
  void shouldApplyLimitsOnAnInstanceWhoseFileTurnsTheStageOn() {
    // Given an instance with no limits in its file but admission.limits: on
    SluiceConfig on = parse(BOOTSTRAP.replace(", rpm: 100", "") + "admission: {limits: \"on\"}\n");
    ConfigInForce live = ConfigInForce.startingWith(on);
    ConfigFollower follower = new ConfigFollower(live, meters, Map::of);

    // When a version gives acme limits; Then they are in force
    follower.offer(version(1, V1));
    assertThat(live.current().version()).isEqualTo(1);
    assertThat(live.limits().forTenant("acme").rpm()).isEqualTo(5L);
  }
}
