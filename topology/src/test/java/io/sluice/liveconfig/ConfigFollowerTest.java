package io.sluice.liveconfig;

import static io.sluice.liveconfig.LiveTestFiles.bootstrap;
import static io.sluice.liveconfig.LiveTestFiles.twoProviders;
import static io.sluice.liveconfig.LiveTestFiles.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.routing.ModelRoute;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigFollowerTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ConfigInForce live = ConfigInForce.startingWith(bootstrap());
  private Map<String, String> env = Map.of("B_KEY", "sk-b");
  private final ConfigFollower follower = new ConfigFollower(live, meters, () -> env);

  @Test
  void shouldPutANewVersionInForceKeepingTheInstancesOwnKafkaSettings() {
    // Given an instance running with its own file (version 0)
    assertThat(live.current().version()).isZero();

    // When version 1 arrives with two providers, weights, a fallback, tenants and cache settings
    follower.offer(version(1, twoProviders(1, 3)));

    // Then it is in force, and what the topology and dispatcher read follows it
    InForce now = live.current();
    assertThat(now.version()).isEqualTo(1);
    ModelRoute gpt = live.models().route("gpt").orElseThrow();
    assertThat(gpt.deployments()).extracting(d -> d.weight()).containsExactly(1.0, 3.0);
    assertThat(gpt.fallbacks()).containsExactly("backup");
    assertThat(now.config().providers().get("b").apiKey()).isEqualTo("sk-b");
    assertThat(live.tenants()).containsOnlyKeys("acme");
    assertThat(live.cache().perTenant()).isFalse();
    assertThat(live.cache().ttl()).hasMinutes(5);
    // the kafka section is the instance's, not the version's
    assertThat(now.config().kafka().applicationId()).isEqualTo("live-test");
    assertThat(gauge("sluice.config.version")).isEqualTo(1);
    assertThat(meters.counter("sluice.config.applied").count()).isEqualTo(1);
  }

  @Test
  void shouldRefuseAVersionWhoseEnvironmentVariableIsMissingHereAndKeepTheOneItHad() {
    // Given version 1 in force
    follower.offer(version(1, twoProviders(1, 1)));

    // When version 2 needs B_KEY, which this instance's environment lacks
    env = Map.of();
    follower.offer(version(2, twoProviders(0, 1)));

    // Then version 1 stays in force, and the refusal is counted
    assertThat(live.current().version()).isEqualTo(1);
    assertThat(live.models().route("gpt").orElseThrow().deployments().get(0).weight())
        .isEqualTo(1.0);
    assertThat(meters.counter("sluice.config.refused").count()).isEqualTo(1);
    assertThat(gauge("sluice.config.refused.version")).isEqualTo(2);
    assertThat(gauge("sluice.config.version")).isEqualTo(1);
    assertThatThrownBy(
            () -> VersionApplier.prepare(bootstrap(), version(2, twoProviders(0, 1)), Map.of()))
        .hasMessage(
            "llm.config version 2: providers.b.api_key: environment variable B_KEY is not set"
                + " (use ${B_KEY:-default} for a default)");
  }

  @Test
  void shouldRefuseAVersionThatDoesNotValidateHere() {
    // a record no `config apply` would have published: a fallback to an unknown alias
    follower.offer(
        version(
            1,
            """
            providers: {a: {type: openai, base_url: "http://127.0.0.1:1/v1"}}
            models: {gpt: {deployments: [{provider: a, model: m}], fallbacks: [nope]}}
            """));

    assertThat(live.current().version()).isZero();
    assertThat(live.models().aliases()).containsExactly("gpt");
    assertThat(meters.counter("sluice.config.refused").count()).isEqualTo(1);
  }

  @Test
  void shouldRefuseARecordThatIsNotAVersionOrWhoseDigestDoesNotMatch() {
    follower.offer("not json".getBytes(StandardCharsets.UTF_8), 7);
    ConfigVersion v = version(1, twoProviders(1, 1));
    follower.offer(new ConfigVersion(1, 1, "x", "y", "0".repeat(64), v.sections()).toJson(), 8);

    assertThat(live.current().version()).isZero();
    assertThat(meters.counter("sluice.config.refused").count()).isEqualTo(2);
  }

  @Test
  void shouldIgnoreAVersionNotNewerThanTheOneInForce() {
    follower.offer(version(2, twoProviders(1, 1)));
    follower.offer(version(1, twoProviders(5, 5)));
    follower.offer(version(2, twoProviders(7, 7)));

    assertThat(live.current().version()).isEqualTo(2);
    assertThat(live.models().route("gpt").orElseThrow().deployments().get(0).weight())
        .isEqualTo(1.0);
    assertThat(meters.counter("sluice.config.refused").count()).isZero();
  }

  @Test
  void shouldRefuseEnablingTheCacheOnAnInstanceStartedWithoutItsStore() {
    ConfigInForce noCache =
        ConfigInForce.startingWith(
            io.sluice.config.SluiceConfig.parse(
                LiveTestFiles.BOOTSTRAP.replace("cache: {ttl: 1h}", "cache: {enabled: false}"),
                "b.yaml",
                Map.of()));
    ConfigFollower f = new ConfigFollower(noCache, new SimpleMeterRegistry(), () -> env);

    f.offer(version(1, twoProviders(1, 1)));

    assertThat(noCache.current().version()).isZero();
    assertThat(noCache.cache().active()).isFalse();
  }

  @Test
  void shouldTellListenersBeforeTheVersionIsInForce() {
    List<Long> seenInForce = new ArrayList<>();
    live.onChange(next -> seenInForce.add(live.current().version() * 100 + next.version()));

    follower.offer(version(1, twoProviders(1, 1)));
    follower.offer(version(2, twoProviders(1, 2)));

    // the listener ran while the previous version was still in force
    assertThat(seenInForce).containsExactly(1L, 102L);
  }

  @Test
  void shouldKeepTheVersionInForceWhenAListenerFails() {
    live.onChange(
        next -> {
          throw new IllegalStateException("cannot build a client");
        });

    follower.offer(version(1, twoProviders(1, 1)));

    assertThat(live.current().version()).isZero();
    assertThat(meters.counter("sluice.config.refused").count()).isEqualTo(1);
  }

  private double gauge(String name) {
    return meters.get(name).gauge().value();
  }
}
