package io.sluice.analytics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * Runs {@code trace-analytics.sql}, the Flink SQL job over {@code llm.traces}: fills in its {@code
 * ${NAME}} placeholders, splits it into statements and executes them in order in a table
 * environment. The last statement (the statement set) submits the job.
 *
 * <p>Submit it to a cluster with {@code flink run -c io.sluice.analytics.TraceAnalyticsJob} (the
 * Kafka connector and {@code flink-sql-avro-confluent-registry} in Flink's {@code lib/}), or run
 * the same SQL file in Flink's SQL client. Arguments are {@code NAME=VALUE} pairs; the
 * environment's variables of the same names come next, then {@link #DEFAULTS}.
 */
public final class TraceAnalyticsJob {
  /** The job's SQL, on the classpath (the file is {@code connectors/trace-analytics/sql/}). */
  public static final String SQL_RESOURCE = "/io/sluice/analytics/trace-analytics.sql";

  /** Every placeholder the SQL may use, with its default (the endpoints of {@code sluice dev}). */
  public static final Map<String, String> DEFAULTS = defaults();

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z0-9_]+)}");

  private TraceAnalyticsJob() {}

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    d.put("SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081");
    d.put("TRACES_TOPIC", "llm.traces");
    d.put("ANALYTICS_TOPIC", "llm.analytics");
    d.put("GROUP_ID", "sluice-trace-analytics");
    d.put("STARTUP_MODE", "earliest-offset");
    d.put("BOUNDED_MODE", "unbounded");
    d.put("WATERMARK_DELAY", "5");
    d.put("IDLE_TIMEOUT", "30 s");
    return Map.copyOf(d);
  }

  /** The bundled SQL text, placeholders unfilled. */
  public static String bundledSql() {
    try (InputStream in = TraceAnalyticsJob.class.getResourceAsStream(SQL_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(SQL_RESOURCE + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The variables for a run: {@code overrides} first, then the environment, then the defaults. */
  public static Map<String, String> variables(
      Map<String, String> overrides, Map<String, String> environment) {
    Map<String, String> vars = new LinkedHashMap<>();
    for (Map.Entry<String, String> d : DEFAULTS.entrySet()) {
      String name = d.getKey();
      String value = overrides.getOrDefault(name, environment.getOrDefault(name, d.getValue()));
      vars.put(name, value);
    }
    for (String name : overrides.keySet()) {
      if (!DEFAULTS.containsKey(name)) {
        throw new IllegalArgumentException(
            "unknown variable " + name + "; known: " + String.join(", ", DEFAULTS.keySet()));
      }
    }
    return vars;
  }

  /**
   * {@code sql} with every {@code ${NAME}} replaced; a placeholder without a value is an error that
   * names it. Values may not contain a single quote (they go into SQL string literals).
   */
  public static String render(String sql, Map<String, String> vars) {
    Matcher m = PLACEHOLDER.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String value = vars.get(name);
      if (value == null) {
        throw new IllegalArgumentException("no value for ${" + name + "}");
      }
      if (value.indexOf('\'') >= 0) {
        throw new IllegalArgumentException(name + " may not contain a single quote: " + value);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * The statements of a SQL script, in order, without comments or the closing semicolons. A
   * statement ends at a semicolon at the end of a line; an {@code EXECUTE STATEMENT SET BEGIN ...
   * END;} block is one statement, as in Flink's SQL client.
   */
  public static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inSet = false;
    for (String raw : script.split("\n", -1)) {
      String line = stripComment(raw).stripTrailing();
      if (line.isBlank()) {
        continue;
      }
      if (current.length() == 0
          && line.strip().toUpperCase(Locale.ROOT).startsWith("EXECUTE STATEMENT SET")) {
        inSet = true;
      }
      current.append(line).append('\n');
      boolean ends = line.endsWith(";");
      boolean endsSet = line.strip().equalsIgnoreCase("END;");
      if (ends && (!inSet || endsSet)) {
        String stmt = current.toString().strip();
        out.add(stmt.substring(0, stmt.length() - 1).strip());
        current.setLength(0);
        inSet = false;
      }
    }
    if (!current.toString().isBlank()) {
      throw new IllegalArgumentException(
          "the script ends inside a statement (missing ';'): " + current.toString().strip());
    }
    return out;
  }

  /** {@code line} without a {@code --} comment outside string literals. */
  private static String stripComment(String line) {
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && c == '-' && i + 1 < line.length() && line.charAt(i + 1) == '-') {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static final Pattern SET = Pattern.compile("(?is)SET\\s+'([^']+)'\\s*=\\s*'([^']*)'");
  private static final Pattern STATEMENT_SET =
      Pattern.compile("(?is)EXECUTE\\s+STATEMENT\\s+SET\\s+BEGIN\\s+(.*)\\s+END");

  /**
   * Executes every statement of {@code script} (placeholders already filled) in {@code env} and
   * returns the last one's result: for the job's statement set, the submitted job. {@code SET 'key'
   * = 'value'} and {@code EXECUTE STATEMENT SET BEGIN ... END} mean what they mean in Flink's SQL
   * client; the table API's {@code executeSql} takes neither.
   */
  public static TableResult execute(TableEnvironment env, String script) {
    TableResult last = null;
    for (String statement : statements(script)) {
      Matcher set = SET.matcher(statement);
      Matcher inserts = STATEMENT_SET.matcher(statement);
      if (set.matches()) {
        env.getConfig().getConfiguration().setString(set.group(1), set.group(2));
        last = null;
      } else if (inserts.matches()) {
        StatementSet batch = env.createStatementSet();
        for (String insert : inserts.group(1).split(";\\s*\\n")) {
          if (!insert.isBlank()) {
            batch.addInsertSql(insert.strip().replaceAll(";$", ""));
          }
        }
        last = batch.execute();
      } else {
        last = env.executeSql(statement);
      }
    }
    if (last == null) {
      throw new IllegalArgumentException("the script does not end with a statement that runs");
    }
    return last;
  }

  /** Runs the bundled SQL (or {@code SQL_FILE=path}) with {@code NAME=VALUE} arguments. */
  public static void main(String[] args) throws Exception {
    Map<String, String> overrides = new LinkedHashMap<>();
    String sqlFile = null;
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        System.err.println("arguments are NAME=VALUE; known: " + DEFAULTS.keySet());
        System.exit(2);
      }
      String name = arg.substring(0, eq);
      String value = arg.substring(eq + 1);
      if (name.equals("SQL_FILE")) {
        sqlFile = value;
      } else {
        overrides.put(name, value);
      }
    }
    String sql;
    Map<String, String> vars;
    try {
      vars = variables(overrides, System.getenv());
      sql =
          render(
              sqlFile == null
                  ? bundledSql()
                  : Files.readString(Path.of(sqlFile), StandardCharsets.UTF_8),
              vars);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    TableResult result = execute(env, sql);
    result
        .getJobClient()
        .ifPresent(
            job ->
                System.out.println(
                    "submitted job "
                        + job.getJobID()
                        + ": "
                        + vars.get("TRACES_TOPIC")
                        + " -> "
                        + vars.get("ANALYTICS_TOPIC")));
    if (!"unbounded".equals(vars.get("BOUNDED_MODE"))) {
      result.await();
    }
  }
}
