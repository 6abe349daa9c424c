package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SluiceConfigTest {
  private static final String CONTRACT_EXAMPLE =
      """
      kafka:
        bootstrap_servers: ${KAFKA_BOOTSTRAP:-127.0.0.1:9092}
        application_id: sluice
        processing_guarantee: exactly_once_v2     # or at_least_once
        properties: {}
      schema_registry:
        url: http://127.0.0.1:8081
      topics:
        prefix: "llm."
      providers:
        openai-main:
          type: openai
          base_url: https://api.openai.com/v1
          api_key: ${OPENAI_API_KEY}
          timeout_ms: 30000
          max_concurrency: 256
        claude:
          type: anthropic
          base_url: https://api.anthropic.com
          api_key: ${ANTHROPIC_API_KEY}
      models:
        gpt-4o-mini:
          strategy: weighted
          deployments:
            - {provider: openai-main, model: gpt-4o-mini, weight: 1,
               price_per_mtok: {input: 0.15, output: 0.60}}
          retries: 2
          fallbacks: [claude-haiku]
        claude-haiku:
          deployments:
            - {provider: claude, model: claude-3-5-haiku-latest}
      cache:
        enabled: true
        ttl: 1h
        scope: tenant
      tools:
        amqp_url: amqp://guest:guest@127.0.0.1:5672
        exchange: sluice.tools
        timeout_ms: 10000
        max_rounds: 4
      tenants:
        acme: {models: ["*"]}
      http:
        port: 8080
      """;

  private static final Map<String, String> ENV =
      Map.of("OPENAI_API_KEY", "sk-openai", "ANTHROPIC_API_KEY", "sk-ant");

  @Test
  void shouldReadTheContractsExampleConfig() {
    SluiceConfig c = SluiceConfig.parse(CONTRACT_EXAMPLE, "sluice.yaml", ENV);

    assertThat(c.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(c.providers().get("openai-main").apiKey()).isEqualTo("sk-openai");
    assertThat(c.models().get("gpt-4o-mini").deployments().get(0).pricePerMtok().output())
        .isEqualTo(0.60);
    assertThat(c.models().get("claude-haiku").strategy()).isEqualTo("weighted");
    assertThat(c.tenants()).containsKey("acme");
    assertThat(c.topicNames()).containsEntry("requests", "llm.requests");
  }

  @Test
  void shouldNameAnUnknownKeyAndItsLine() {
    String text = CONTRACT_EXAMPLE.replace("  exchange: sluice.tools", "  exchang: sluice.tools");

    assertThatThrownBy(() -> SluiceConfig.parse(text, "sluice.yaml", ENV))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sluice.yaml line 38: unknown key 'tools.exchang'");
  }

  @Test
  void shouldRefuseAnUnsetEnvironmentVariableWithoutADefault() {
    assertThatThrownBy(() -> SluiceConfig.parse(CONTRACT_EXAMPLE, "sluice.yaml", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("line 14: environment variable OPENAI_API_KEY is not set");
  }

  @Test
  void shouldNameAModelDeploymentWhoseProviderIsMissing() {
    String text = CONTRACT_EXAMPLE.replace("{provider: claude,", "{provider: claud,");

    assertThatThrownBy(() -> SluiceConfig.parse(text, "sluice.yaml", ENV))
        .hasMessageContaining(
            "models.claude-haiku.deployments[0].provider: unknown provider 'claud'");
  }

  @Test
  void givenNettyForAnHttpsProvider_whenParsed_thenItUsesTheEventLoopClientAndAutoStaysOkHttp() {
    String text =
        CONTRACT_EXAMPLE.replace("max_concurrency: 256", "max_concurrency: 256\n    client: netty");

    SluiceConfig netty = SluiceConfig.parse(text, "sluice.yaml", ENV);
    SluiceConfig auto = SluiceConfig.parse(CONTRACT_EXAMPLE, "sluice.yaml", ENV);

    assertThat(netty.providers().get("openai-main").baseUrl()).startsWith("https://");
    assertThat(netty.providers().get("openai-main").usesNetty()).isTrue();
    assertThat(auto.providers().get("openai-main").usesNetty()).isFalse();
  }

  @Test
  void givenAnUnknownClient_whenParsed_thenTheKeyAndChoicesAreNamed() {
    String text =
        CONTRACT_EXAMPLE.replace("max_concurrency: 256", "max_concurrency: 256\n    client: curl");

    assertThatThrownBy(() -> SluiceConfig.parse(text, "sluice.yaml", ENV))
        .hasMessageContaining("providers.openai-main.client must be auto, netty or okhttp");
  }

  @Test
  void givenClientAuto_whenTheUrlIsPlainHttp_thenNettyServesIt() {
    String text =
        CONTRACT_EXAMPLE.replace(
            "base_url: https://api.openai.com/v1", "base_url: http://vllm.internal:8000/v1");

    SluiceConfig c = SluiceConfig.parse(text, "sluice.yaml", ENV);

    assertThat(c.providers().get("openai-main").usesNetty()).isTrue();
    assertThat(c.providers().get("claude").usesNetty()).isFalse();
  }

  @Test
  void givenNoCommitInterval_whenParsed_thenItFollowsTheGuarantee() {
    SluiceConfig eos = SluiceConfig.parse("", "empty.yaml", Map.of());
    SluiceConfig alos =
        SluiceConfig.parse("kafka: {processing_guarantee: at_least_once}", "alos.yaml", Map.of());
    SluiceConfig given =
        SluiceConfig.parse(
            "kafka: {processing_guarantee: at_least_once, commit_interval_ms: 20}",
            "given.yaml",
            Map.of());

    assertThat(eos.kafka().commitIntervalMs()).isEqualTo(20L);
    assertThat(alos.kafka().commitIntervalMs()).isEqualTo(1000L);
    assertThat(given.kafka().commitIntervalMs()).isEqualTo(20L);
  }

  @Test
  void shouldRejectAnUnknownProcessingGuarantee() {
    String text =
        CONTRACT_EXAMPLE.replace("exactly_once_v2     # or at_least_once", "exactly_once");

    assertThatThrownBy(() -> SluiceConfig.parse(text, "sluice.yaml", ENV))
        .hasMessageContaining(
            "kafka.processing_guarantee must be exactly_once_v2 or at_least_once");
  }

  @Test
  void shouldNameAValueOfTheWrongType() {
    String text = CONTRACT_EXAMPLE.replace("max_rounds: 4", "max_rounds: many");

    assertThatThrownBy(() -> SluiceConfig.parse(text, "sluice.yaml", ENV))
        .hasMessageContaining("line 40: tools.max_rounds");
  }

  @Test
  void shouldApplyDefaultsToAnEmptyFile() {
    SluiceConfig c = SluiceConfig.parse("", "empty.yaml", Map.of());

    assertThat(c.kafka().processingGuarantee()).isEqualTo("exactly_once_v2");
    assertThat(c.kafka().applicationId()).isEqualTo("sluice");
    assertThat(c.cache().enabled()).isTrue();
    assertThat(c.tools()).isNull();
  }

  @Test
  void shouldNeverPrintAProviderKey() {
    SluiceConfig c = SluiceConfig.parse(CONTRACT_EXAMPLE, "sluice.yaml", ENV);

    assertThat(c.toString()).doesNotContain("sk-openai").doesNotContain("sk-ant");
  }

  @Test
  void shouldBoundTheMessagesOfARequestBy2048UnlessConfigured() {
    SluiceConfig defaults = SluiceConfig.parse("", "empty.yaml", Map.of());
    SluiceConfig given =
        SluiceConfig.parse("sessions: {max_request_messages: 10}\n", "s.yaml", Map.of());

    assertThat(defaults.sessions().maxRequestMessages()).isEqualTo(2_048);
    assertThat(given.sessions().maxRequestMessages()).isEqualTo(10);
  }

  @Test
  void shouldNameANonPositiveMaxRequestMessages() {
    assertThatThrownBy(
            () -> SluiceConfig.parse("sessions: {max_request_messages: 0}\n", "s.yaml", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sessions.max_request_messages must be > 0");
    assertThatThrownBy(
            () ->
                SluiceConfig.parse("sessions: {max_request_messages: lots}\n", "s.yaml", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sessions.max_request_messages");
  }
}
