package io.sluice.app;

import io.sluice.frontdoor.wire.AnthropicWire;
import io.sluice.frontdoor.wire.OpenAiWire;
import io.sluice.frontdoor.wire.WireFormat;

/** The two wire formats of the front door's chat routes. */
final class WireFormats {
  private WireFormats() {}

  static WireFormat openai() {
    return new OpenAiWire();
  }

  static WireFormat anthropic() {
    return new AnthropicWire();
  }
}
