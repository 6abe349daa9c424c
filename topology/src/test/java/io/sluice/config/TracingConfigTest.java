package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.app.SluiceApp;
import io.sluice.topology.Tracer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracingConfigTest {
  private static final String BASE =
      """
      providers: {sim: {type: openai, base_url: "http://127.0.0.1:1/v1"}}
      models: {gpt: {deployments: [{provider: sim, model: m}]}}
      """;

  private static SluiceConfig parse(String tracing) {
    return SluiceConfig.parse(BASE + tracing, "sluice.yaml", Map.of());
  }

  @Test
  void givenNoTracingSection_thenEverySpanIsWritten() {
    assertThat(SluiceApp.sessionSettings(parse("")).spans()).isEqualTo(Tracer.Level.ALL);
  }

  @Test
  void givenSpansRoot_thenOnlyTheRootSpanIsWritten() {
    SluiceConfig c = parse("tracing: {spans: root}\n");

    assertThat(SluiceApp.sessionSettings(c).spans()).isEqualTo(Tracer.Level.ROOT);
  }

  @Test
  void givenAnUnknownLevel_thenTheConfigIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> parse("tracing: {spans: some}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tracing.spans must be all or root, not 'some'");
  }
}
