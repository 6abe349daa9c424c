package io.sluice.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SemanticEvalTest {
  private static SemanticEval.Scored scored(boolean same, double sim, String a, String b) {
    return new SemanticEval.Scored(
        new LabelledPairs.Pair(same, "en", "x", a, b),
        sim,
        PromptFeatures.of(a),
        PromptFeatures.of(b));
  }

  @Test
  void shouldChooseTheLowestThresholdWhoseFalseHitsStayWithinOnePercent() {
    List<SemanticEval.Scored> set =
        List.of(
            scored(true, 0.95, "a", "a"),
            scored(true, 0.85, "b", "b"),
            scored(false, 0.90, "c", "c"),
            scored(false, 0.80, "d", "d"));

    double t = SemanticEval.choose(set, Guards.none(), new double[] {0.80, 0.85, 0.90, 0.95});

    assertThat(t).isEqualTo(0.95);
    assertThat(SemanticEval.rate(set, Guards.none(), 0.85).falseHits()).isEqualTo(0.5);
    assertThat(SemanticEval.rate(set, Guards.none(), 0.85).recall()).isEqualTo(1.0);
  }

  @Test
  void givenAGuardThatRefusesTheNearMissThenALowerThresholdIsChosen() {
    List<SemanticEval.Scored> set =
        List.of(
            scored(true, 0.85, "capital of France", "the capital of France"),
            scored(false, 0.90, "capital of France", "capital of Germany"));

    assertThat(SemanticEval.choose(set, Guards.all(), new double[] {0.80, 0.95})).isEqualTo(0.80);
  }

  @Test
  void theBundledSetHasAtLeast200PairsInSeveralLanguages() {
    LabelledPairs set = LabelledPairs.bundled();

    assertThat(set.pairs()).hasSizeGreaterThanOrEqualTo(200);
    assertThat(set.pairs()).extracting(LabelledPairs.Pair::lang).contains("en", "de", "fr", "es");
    assertThat(set.pairs()).extracting(LabelledPairs.Pair::same).contains(true, false);
  }
}
