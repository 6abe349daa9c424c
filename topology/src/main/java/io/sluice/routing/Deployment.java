package io.sluice.routing;

/**
 * One way to serve a model alias: a provider, its model name, a weight, and its price in US dollars
 * per million tokens.
 */
public record Deployment(
    String provider,
    String providerModel,
    double weight,
    double inputPricePerMtok,
    double outputPricePerMtok) {

  /** What a call with these token counts costs. */
  public double cost(int promptTokens, int completionTokens) {
    return (promptTokens * inputPricePerMtok + completionTokens * outputPricePerMtok) / 1_000_000.0;
  }

  /** {@code provider/providerModel}, as spans and metrics name it. */
  public String id() {
    return provider + "/" + providerModel;
  }
}
