package io.sluice.tools.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.tools.worker.ToolHandler;
import java.math.BigDecimal;

/**
 * A sample tool: evaluates arithmetic ({@code + - * / ^}, parentheses, decimals) given as {@code
 * {"expression": "..."}} or {@code {"input": "..."}}.
 */
public final class Calculator implements ToolHandler {
  public static final String NAME = "calculator";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Override
  public String call(String argumentsJson) throws Exception {
    JsonNode args = MAPPER.readTree(argumentsJson);
    String expr = args.path("expression").asText(args.path("input").asText(""));
    if (expr.isBlank()) {
      throw new IllegalArgumentException("no expression given");
    }
    double v = new Parser(expr).parse();
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      throw new ArithmeticException("the result is not a number");
    }
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  /** Recursive descent over: sum := product (('+'|'-') product)*, and so on. */
  private static final class Parser {
    private final String s;
    private int i;

    Parser(String s) {
      this.s = s;
    }

    double parse() {
      double v = sum();
      skip();
      if (i < s.length()) {
        throw new IllegalArgumentException("unexpected '" + s.charAt(i) + "' at " + i);
      }
      return v;
    }

    private double sum() {
      double v = product();
      while (true) {
        if (eat('+')) {
          v += product();
        } else if (eat('-')) {
          v -= product();
        } else {
          return v;
        }
      }
    }

    private double product() {
      double v = power();
      while (true) {
        if (eat('*') || eat('x')) {
          v *= power();
        } else if (eat('/')) {
          v /= power();
        } else {
          return v;
        }
      }
    }

    private double power() {
      double base = unary();
      return eat('^') ? Math.pow(base, power()) : base;
    }

    private double unary() {
      if (eat('-')) {
        return -unary();
      }
      if (eat('+')) {
        return unary();
      }
      if (eat('(')) {
        double v = sum();
        if (!eat(')')) {
          throw new IllegalArgumentException("missing ')'");
        }
        return v;
      }
      skip();
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (start == i) {
        throw new IllegalArgumentException(
            i < s.length() ? "unexpected '" + s.charAt(i) + "' at " + i : "unexpected end");
      }
      return Double.parseDouble(s.substring(start, i));
    }

    private boolean eat(char c) {
      skip();
      if (i < s.length() && s.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    private void skip() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }
  }
}
