package io.sluice.tools.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CalculatorTest {
  private final Calculator calc = new Calculator();

  @Test
  void shouldEvaluateArithmeticWithPrecedenceAndParentheses() throws Exception {
    assertThat(calc.call("{\"input\":\"6*7\"}")).isEqualTo("42");
    assertThat(calc.call("{\"expression\":\"2 + 3 * (4 - 1) ^ 2\"}")).isEqualTo("29");
    assertThat(calc.call("{\"input\":\"-1.5 / 2\"}")).isEqualTo("-0.75");
    assertThat(calc.call("{\"input\":\"2^3^2\"}")).isEqualTo("512");
  }

  @Test
  void shouldRefuseWhatIsNotArithmetic() {
    assertThatThrownBy(() -> calc.call("{\"input\":\"2 +\"}"))
        .hasMessageContaining("unexpected end");
    assertThatThrownBy(() -> calc.call("{\"input\":\"rm -rf\"}"))
        .hasMessageContaining("unexpected 'r'");
    assertThatThrownBy(() -> calc.call("{\"input\":\"1/0\"}")).hasMessageContaining("not a number");
    assertThatThrownBy(() -> calc.call("{}")).hasMessageContaining("no expression");
  }
}
