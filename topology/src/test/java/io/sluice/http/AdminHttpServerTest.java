package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class AdminHttpServerTest {
  private final OkHttpClient http = new OkHttpClient();

  @Test
  void shouldServePrometheusMetricsAndFollowTheHealthCheck() throws Exception {
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics.counter("sluice_test_events").increment(3);
    AtomicReference<HealthCheck.Status> state =
        new AtomicReference<>(new HealthCheck.Status(false, "REBALANCING_NOT_YET"));

    try (AdminHttpServer server = AdminHttpServer.start("127.0.0.1", 0, metrics, state::get)) {
      try (Response r = get(server.url() + "/metrics")) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.body().string()).contains("sluice_test_events_total 3.0");
      }
      try (Response r = get(server.url() + "/health")) {
        assertThat(r.code()).isEqualTo(503);
      }

      state.set(new HealthCheck.Status(true, "RUNNING"));

      try (Response r = get(server.url() + "/health")) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.body().string()).contains("\"state\":\"RUNNING\"");
      }
    }
  }

  private Response get(String url) throws Exception {
    return http.newCall(new Request.Builder().url(url).build()).execute();
  }
}
