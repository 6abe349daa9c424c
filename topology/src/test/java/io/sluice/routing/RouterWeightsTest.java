package io.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The router weighs deployments by the route it is given, so a new config version's weights count.
 */
class RouterWeightsTest {
  private final Router router =
      new Router(
          new RoutingSettings(
              Duration.ofMillis(1), Duration.ofMillis(1), 10, 5, 50f, Duration.ofSeconds(1)));

  @Test
  void shouldFollowTheWeightsOfTheRouteNotThoseSeenFirst() {
    // Given a route whose deployment a was picked with weight 1
    Deployment a1 = new Deployment("a", "m", 1, 0, 0);
    Deployment b0 = new Deployment("b", "m", 0, 0, 0);
    router.released(
        router.acquire(new ModelRoute("gpt", "weighted", List.of(a1, b0), 0, List.of())));

    // When a later version gives a weight 0 and b weight 1
    ModelRoute next =
        new ModelRoute(
            "gpt",
            "weighted",
            List.of(new Deployment("a", "m", 0, 0, 0), new Deployment("b", "m", 1, 0, 0)),
            0,
            List.of());

    // Then every pick is b, and the state of a (its circuit) is the same object as before
    DeploymentState before = router.state(a1);
    for (int i = 0; i < 200; i++) {
      DeploymentState s = router.acquire(next);
      assertThat(s.deployment().provider()).isEqualTo("b");
      router.released(s);
    }
    assertThat(router.state(new Deployment("a", "m", 0, 0, 0))).isSameAs(before);
  }
}
