package io.sluice.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class GuardsTest {
  private static boolean agree(Guards.Guard g, String a, String b) {
    return new Guards(EnumSet.of(g)).agree(PromptFeatures.of(a), PromptFeatures.of(b));
  }

  @Test
  void numbersAndQuantitiesMustAgree() {
    assertThat(agree(Guards.Guard.NUMBERS, "Square root of 144?", "square root of 144")).isTrue();
    assertThat(agree(Guards.Guard.NUMBERS, "Square root of 144?", "Square root of 169?")).isFalse();
    assertThat(agree(Guards.Guard.NUMBERS, "How many pounds is 5 kg?", "How many kg is 5 pounds?"))
        .isFalse();
    assertThat(agree(Guards.Guard.NUMBERS, "Convert 10 km to miles.", "How many miles is 10 km?"))
        .isTrue();
  }

  @Test
  void namedEntitiesMustAgreeWhateverTheirCase() {
    assertThat(
            agree(
                Guards.Guard.ENTITIES,
                "What's the capital of France?",
                "what is the capital of france"))
        .isTrue();
    assertThat(
            agree(
                Guards.Guard.ENTITIES,
                "What is the capital of France?",
                "What is the capital of Germany?"))
        .isFalse();
    assertThat(agree(Guards.Guard.ENTITIES, "How do I make tea?", "How do you make tea?"))
        .as("the pronoun I is no entity")
        .isTrue();
  }

  @Test
  void negationsAndNegatingPrefixesMustAgree() {
    assertThat(
            agree(
                Guards.Guard.NEGATION,
                "Which foods contain gluten?",
                "Which foods don't contain gluten?"))
        .isFalse();
    assertThat(agree(Guards.Guard.NEGATION, "Rezepte mit Fleisch", "Rezepte ohne Fleisch"))
        .isFalse();
    assertThat(agree(Guards.Guard.NEGATION, "Is it safe to drink?", "Is it unsafe to drink?"))
        .isFalse();
    assertThat(agree(Guards.Guard.NEGATION, "Is it safe to drink?", "Is drinking it safe?"))
        .isTrue();
  }

  @Test
  void quotedStringsTargetsAndContrastsMustAgree() {
    assertThat(agree(Guards.Guard.QUOTED, "Translate \"hello\"", "Translate \"goodbye\""))
        .isFalse();
    assertThat(
            agree(Guards.Guard.TARGETS, "translate hello to spanish", "translate hello to italian"))
        .isFalse();
    assertThat(agree(Guards.Guard.TARGETS, "Convert 10 km to miles.", "How many miles is 10 km?"))
        .as("only one names a target")
        .isTrue();
    assertThat(agree(Guards.Guard.CONTRASTS, "Weather today in Paris", "Weather tomorrow in Paris"))
        .isFalse();
  }
}
