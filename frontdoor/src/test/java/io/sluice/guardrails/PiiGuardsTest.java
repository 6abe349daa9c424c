package io.sluice.guardrails;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Each tenant's guard, fixed or following the guards in force (live configuration). */
class PiiGuardsTest {
  private static PiiGuard guard(PiiMode mode) {
    return new PiiPolicy(mode, null, null, false, "US", null).compile();
  }

  @Test
  void shouldGiveATenantItsOwnGuardElseTheGlobalOne() {
    PiiGuards guards = new PiiGuards(guard(PiiMode.OFF), Map.of("bank", guard(PiiMode.BLOCK)));

    assertThat(guards.forTenant("bank").mode()).isEqualTo(PiiMode.BLOCK);
    assertThat(guards.forTenant("acme").mode()).isEqualTo(PiiMode.OFF);
    assertThat(guards.forTenant(null).mode()).isEqualTo(PiiMode.OFF);
    assertThat(guards.allOff()).isFalse();
    assertThat(new PiiGuards(guard(PiiMode.OFF), Map.of()).allOff()).isTrue();
  }

  @Test
  void shouldAnswerWithTheGuardsInForceWhenFollowingASource() {
    // Given guards following a source whose guards are all off
    AtomicReference<PiiGuards> inForce = new AtomicReference<>(PiiGuards.off());
    PiiGuards following = PiiGuards.following(inForce::get);
    assertThat(following.allOff()).isTrue();
    assertThat(following.forTenant("acme").mode()).isEqualTo(PiiMode.OFF);

    // When the source swaps in guards that mask for acme
    PiiGuards next = new PiiGuards(guard(PiiMode.OFF), Map.of("acme", guard(PiiMode.MASK)));
    inForce.set(next);

    // Then the same object answers with them, and now() is the source's one version
    assertThat(following.allOff()).isFalse();
    assertThat(following.forTenant("acme").mode()).isEqualTo(PiiMode.MASK);
    assertThat(following.forTenant("beta").mode()).isEqualTo(PiiMode.OFF);
    assertThat(following.now()).isSameAs(next);
  }
}
