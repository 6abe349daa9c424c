package io.sluice.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceAnalyticsJobTest {

  @Test
  void
      givenTheBundledSqlWhenRenderedWithDefaultsThenNoPlaceholderIsLeftAndItSplitsIntoItsStatements() {
    String sql =
        TraceAnalyticsJob.render(
            TraceAnalyticsJob.bundledSql(), TraceAnalyticsJob.variables(Map.of(), Map.of()));

    assertThat(sql).doesNotContain("${");
    List<String> statements = TraceAnalyticsJob.statements(sql);
    assertThat(statements)
        .extracting(s -> s.split("\\s+")[0] + " " + s.split("\\s+")[1])
        .containsExactly(
            "SET 'table.local-time-zone'",
            "SET 'table.exec.source.idle-timeout'",
            "SET 'pipeline.name'",
            "CREATE TABLE",
            "CREATE TABLE",
            "CREATE TABLE",
            "CREATE TEMPORARY",
            "CREATE TEMPORARY",
            "EXECUTE STATEMENT");
    assertThat(statements.get(statements.size() - 1))
        .contains("INSERT INTO analytics_provider_minute")
        .contains("INSERT INTO analytics_tenant_cost_hour")
        .endsWith("END");
    assertThat(statements).allSatisfy(s -> assertThat(s).doesNotContain("--"));
  }

  @Test
  void
      givenArgumentsAndEnvironmentWhenVariablesAreResolvedThenArgumentsWinOverEnvironmentOverDefaults() {
    Map<String, String> vars =
        TraceAnalyticsJob.variables(
            Map.of("KAFKA_BOOTSTRAP", "kafka:9092"),
            Map.of("KAFKA_BOOTSTRAP", "env:9092", "SCHEMA_REGISTRY_URL", "http://registry:8081"));

    assertThat(vars)
        .containsEntry("KAFKA_BOOTSTRAP", "kafka:9092")
        .containsEntry("SCHEMA_REGISTRY_URL", "http://registry:8081")
        .containsEntry("TRACES_TOPIC", "llm.traces")
        .containsEntry("ANALYTICS_TOPIC", "llm.analytics");
  }

  @Test
  void givenAnUnknownVariableOrAQuoteWhenRenderingThenTheErrorNamesIt() {
    assertThatThrownBy(() -> TraceAnalyticsJob.variables(Map.of("KAFKA_BOOTSTRAPS", "x"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KAFKA_BOOTSTRAPS");
    assertThatThrownBy(() -> TraceAnalyticsJob.render("'${A}'", Map.of()))
        .hasMessageContaining("${A}");
    assertThatThrownBy(() -> TraceAnalyticsJob.render("'${A}'", Map.of("A", "x' OR '1")))
        .hasMessageContaining("A may not contain a single quote");
  }

  @Test
  void givenAStatementWithoutItsSemicolonWhenSplitThenTheErrorSaysSo() {
    assertThatThrownBy(() -> TraceAnalyticsJob.statements("SELECT 1;\nSELECT 2\n"))
        .hasMessageContaining("missing ';'");
    assertThat(TraceAnalyticsJob.statements("SELECT '--not a comment'; -- a comment\n"))
        .containsExactly("SELECT '--not a comment'");
  }
}
