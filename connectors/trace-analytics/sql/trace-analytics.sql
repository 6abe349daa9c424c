-- Sluice trace analytics: a Flink SQL job over llm.traces.
--
-- Writes two kinds of rows to the Kafka topic llm.analytics, as JSON (the field `kind` tells
-- them apart):
--   provider_minute   per 1-minute window, provider and model: requests sent to the provider
--                     (every attempt: retries and fallbacks count), errors, error ratio,
--                     latency p50 and p95 (ms, end minus start of the provider.call span)
--   tenant_cost_hour  per 1-hour window and tenant: requests, provider calls, tokens, cost in USD
--
-- Input: the provider.call spans (one per provider attempt, attributes provider,
-- provider_model, prompt_tokens, completion_tokens, cost_usd) and the request spans (one per
-- answered request; with tracing.spans: root, carrying the provider calls as attributes), in Sluice's Avro with the Confluent framing, read with the avro-confluent
-- format through the schema registry (a real one, or the one `sluice dev` and `sluice broker`
-- serve: they print its URL).
--
-- Event time is a span's end; windows close when the watermark (event time minus
-- WATERMARK_DELAY seconds) passes their end. Partitions that go quiet stop holding the watermark
-- back after table.exec.source.idle-timeout.
--
-- Placeholders (a dollar sign and a NAME in braces): the runner
-- (io.sluice.analytics.TraceAnalyticsJob) fills them in from its arguments and the environment,
-- with the defaults in connectors/trace-analytics/README.md. For Flink's SQL client, export
-- every variable and fill them in with envsubst:
--   envsubst < trace-analytics.sql > job.sql && sql-client.sh -f job.sql

SET 'table.local-time-zone' = 'UTC';
SET 'table.exec.source.idle-timeout' = '${IDLE_TIMEOUT}';
SET 'pipeline.name' = 'sluice-trace-analytics';

CREATE TABLE traces (
  trace_id       STRING NOT NULL,
  span_id        STRING NOT NULL,
  parent_span_id STRING,
  request_id     STRING NOT NULL,
  session_id     STRING,
  tenant_id      STRING,
  name           STRING NOT NULL,
  start_ms       BIGINT NOT NULL,
  end_ms         BIGINT NOT NULL,
  status         STRING NOT NULL,
  attributes     MAP<STRING NOT NULL, STRING NOT NULL> NOT NULL,
  event_time AS TO_TIMESTAMP_LTZ(end_ms, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '${WATERMARK_DELAY}' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${TRACES_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'properties.group.id' = '${GROUP_ID}',
  'scan.startup.mode' = '${STARTUP_MODE}',
  'scan.bounded.mode' = '${BOUNDED_MODE}',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = '${SCHEMA_REGISTRY_URL}'
);

CREATE TABLE analytics_provider_minute (
  kind            STRING NOT NULL,
  window_start    TIMESTAMP(3) NOT NULL,
  window_end      TIMESTAMP(3) NOT NULL,
  provider        STRING NOT NULL,
  model           STRING NOT NULL,
  requests        BIGINT NOT NULL,
  errors          BIGINT NOT NULL,
  error_ratio     DOUBLE NOT NULL,
  latency_p50_ms  DOUBLE,
  latency_p95_ms  DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = '${ANALYTICS_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'key.format' = 'raw',
  'key.fields' = 'provider',
  'value.format' = 'json',
  'value.json.timestamp-format.standard' = 'ISO-8601',
  'value.fields-include' = 'ALL'
);

CREATE TABLE analytics_tenant_cost_hour (
  kind               STRING NOT NULL,
  window_start       TIMESTAMP(3) NOT NULL,
  window_end         TIMESTAMP(3) NOT NULL,
  tenant_id          STRING NOT NULL,
  requests           BIGINT NOT NULL,
  provider_calls     BIGINT NOT NULL,
  prompt_tokens      BIGINT NOT NULL,
  completion_tokens  BIGINT NOT NULL,
  cost_usd           DOUBLE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = '${ANALYTICS_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'key.format' = 'raw',
  'key.fields' = 'tenant_id',
  'value.format' = 'json',
  'value.json.timestamp-format.standard' = 'ISO-8601',
  'value.fields-include' = 'ALL'
);

-- The spans the aggregates read (one per provider attempt, one per answered request), with the
-- attributes typed once. An attribute that is missing or not a number reads as 0 rather than
-- failing the job; request spans carry no tokens or cost.
--
-- A gateway with tracing.spans: root writes no provider.call spans: its request span carries
-- them as attributes (spans = root, provider.call.count = N, provider.call.<n>.provider,
-- .provider_model, .status, .duration_ms, .prompt_tokens, .completion_tokens, .cost_usd for n in
-- 1..N). The second half of the view unfolds those into the same rows a provider.call span
-- makes (the first 64 of a request), with the request span's end as their event time.
CREATE TEMPORARY VIEW spans AS
SELECT
  name,
  COALESCE(attributes['provider'], 'unknown')       AS provider,
  COALESCE(attributes['provider_model'], 'unknown') AS model,
  COALESCE(tenant_id, '')                           AS tenant_id,
  status <> 'OK'                                    AS failed,
  end_ms - start_ms                                 AS latency_ms,
  COALESCE(TRY_CAST(attributes['prompt_tokens'] AS BIGINT), 0)     AS prompt_tokens,
  COALESCE(TRY_CAST(attributes['completion_tokens'] AS BIGINT), 0) AS completion_tokens,
  COALESCE(TRY_CAST(attributes['cost_usd'] AS DOUBLE), 0.0)        AS cost_usd,
  event_time
FROM traces
WHERE name IN ('request', 'provider.call')
UNION ALL
SELECT
  'provider.call'                                   AS name,
  COALESCE(attributes[CONCAT('provider.call.', CAST(n AS STRING), '.provider')], 'unknown')
                                                    AS provider,
  COALESCE(attributes[CONCAT('provider.call.', CAST(n AS STRING), '.provider_model')], 'unknown')
                                                    AS model,
  COALESCE(tenant_id, '')                           AS tenant_id,
  COALESCE(attributes[CONCAT('provider.call.', CAST(n AS STRING), '.status')], 'OK') <> 'OK'
                                                    AS failed,
  COALESCE(TRY_CAST(attributes[CONCAT('provider.call.', CAST(n AS STRING), '.duration_ms')]
    AS BIGINT), 0)                                  AS latency_ms,
  COALESCE(TRY_CAST(attributes[CONCAT('provider.call.', CAST(n AS STRING), '.prompt_tokens')]
    AS BIGINT), 0)                                  AS prompt_tokens,
  COALESCE(TRY_CAST(attributes[CONCAT('provider.call.', CAST(n AS STRING), '.completion_tokens')]
    AS BIGINT), 0)                                  AS completion_tokens,
  COALESCE(TRY_CAST(attributes[CONCAT('provider.call.', CAST(n AS STRING), '.cost_usd')]
    AS DOUBLE), 0.0)                                AS cost_usd,
  event_time
FROM traces
CROSS JOIN UNNEST(ARRAY_SLICE(
  ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
        25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46,
        47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64],
  1, COALESCE(TRY_CAST(attributes['provider.call.count'] AS INT), 0))) AS calls (n)
WHERE name = 'request' AND attributes['spans'] = 'root'
  AND COALESCE(TRY_CAST(attributes['provider.call.count'] AS INT), 0) > 0;

CREATE TEMPORARY VIEW provider_calls AS
SELECT * FROM spans WHERE name = 'provider.call';

-- One job for both results: the topic is read once.
EXECUTE STATEMENT SET
BEGIN

INSERT INTO analytics_provider_minute
SELECT
  'provider_minute',
  window_start,
  window_end,
  provider,
  model,
  COUNT(*),
  SUM(CASE WHEN failed THEN 1 ELSE 0 END),
  CAST(SUM(CASE WHEN failed THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*),
  PERCENTILE(latency_ms, 0.5),
  PERCENTILE(latency_ms, 0.95)
FROM TABLE(TUMBLE(TABLE provider_calls, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, provider, model;

INSERT INTO analytics_tenant_cost_hour
SELECT
  'tenant_cost_hour',
  window_start,
  window_end,
  tenant_id,
  CAST(SUM(CASE WHEN name = 'request' THEN 1 ELSE 0 END) AS BIGINT),
  CAST(SUM(CASE WHEN name = 'provider.call' THEN 1 ELSE 0 END) AS BIGINT),
  SUM(CASE WHEN name = 'provider.call' THEN prompt_tokens ELSE 0 END),
  SUM(CASE WHEN name = 'provider.call' THEN completion_tokens ELSE 0 END),
  SUM(CASE WHEN name = 'provider.call' THEN cost_usd ELSE 0.0 END)
FROM TABLE(TUMBLE(TABLE spans, DESCRIPTOR(event_time), INTERVAL '1' HOUR))
GROUP BY window_start, window_end, tenant_id;

END;
