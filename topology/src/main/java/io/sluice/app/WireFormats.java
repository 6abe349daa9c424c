package io.sluice.app;

import io.sluice.frontdoor.wire.WireFormat;

/** The two wire formats of the front door's chat routes. */
final class WireFormats {
  private WireFormats() {}

  static WireFormat openai() {
    return load("io.sluice.frontdoor.wire.OpenAiWire");
  }

  static WireFormat anthropic() {
    return load("io.sluice.frontdoor.wire.AnthropicWire");
  }

  // TEMPORARY until the wire formats land on main: then these become plain constructor calls
  private static WireFormat load(String name) {
    try {
      return (WireFormat) Class.forName(name).getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("wire format " + name + " is not available", e);
    }
  }
}
