package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.dev.broker.EmbeddedKafkaBroker;
import io.sluice.dev.sim.LlmSimulator;
import io.sluice.dev.sim.SimFaults;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import io.sluice.events.Usage;
import io.sluice.schema.registry.CatalogSchemaRegistry;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant's budget survives {@code kill -9} of every instance: two {@code sluice run} processes of
 * the built jar (exactly_once_v2, the default, stated in the file), a tenant with a budget of 0.05
 * USD and calls of exactly 0.008 USD (8 tokens at 1,000 USD per million). Six calls spend 0.048;
 * the seventh is in flight at the provider when both processes are killed; after the restart it is
 * answered, the spend is 0.056, and the next request is refused {@code budget_exceeded}, again
 * after a second {@code kill -9} of both. Under exactly-once the aborted transactions leave no
 * usage record and no charge behind, so llm.usage holds one record per answered call and its spend
 * passes the budget by less than the one call in flight when it was reached. (Under at_least_once a
 * call whose answer was written before the kill but not committed can be answered and charged
 * again: the spend in llm.usage can then pass the budget by the calls replayed, README "Crashes".)
 */
@Tag("integration")
class AdmissionBudgetKill9IT {
  private static final double BUDGET = 0.05;
  private static final double CALL = 0.008;
  private static final List<String> JVM = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1");
  private static final Path LOGS = Path.of("target/admission-budget-kill9-it");
  private static final Pattern METRICS = Pattern.compile("Metrics and health: (\\S+/metrics),");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void givenASpentBudget_whenEveryInstanceIsKilledAndRestarted_thenItsRequestsAreStillRefused(
      @TempDir Path dir) throws Exception {
    SimFaults quick = new SimFaults(200, 0, 0, "500", 1, 0);
    List<SluiceProcess> gateways = new ArrayList<>();
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.ephemeral());
        LlmSimulator sim = LlmSimulator.start(LlmSimulator.Options.loopback(0, quick))) {
      String bootstrap = broker.bootstrapServers();
      List<Path> configs =
          List.of(config(dir, "one", bootstrap, sim), config(dir, "two", bootstrap, sim));
      try (Topics.Reader<Response> responses = Topics.responses(bootstrap, "llm.responses");
          KafkaProducer<String, Request> producer =
              new KafkaProducer<>(
                  Topics.producerProps(bootstrap),
                  new StringSerializer(),
                  ConfluentAvroSerde.forValues(Request.class, CatalogSchemaRegistry.bundled())
                      .serializer())) {
        Calls calls = new Calls(producer, responses);
        start(gateways, configs, 1);
        assertThat(calls.call("warm", "other").getStatus()).isEqualTo(ResponseStatus.OK);

        // Given a tenant that has spent 0.048 of its 0.05 USD in six calls
        for (int i = 0; i < 6; i++) {
          Response r = calls.call("pay-" + i, "payer");
          assertThat(r.getStatus()).as(r.getRequestId()).isEqualTo(ResponseStatus.OK);
          assertThat(r.getCostUsd()).isCloseTo(CALL, Offset.offset(1e-9));
          // its usage charged by the admission stage before the next is sent: no call in flight
          awaitSpend(gateways, (i + 1) * CALL);
        }
        // and a seventh call in flight at the provider
        sim.faults(new SimFaults(5_000, 0, 0, "500", 1, 0));
        calls.send("pay-6", "payer");
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> sim.statsJson().get("in_flight").asLong() > 0);

        // When every instance is killed (kill -9), and both start again on their state dirs
        kill9(gateways);
        sim.faults(quick);
        start(gateways, configs, 2);

        // Then the call in flight is answered once, and the next request is refused
        calls.await("pay-6", Duration.ofSeconds(120));
        assertThat(calls.of("pay-6")).hasSize(1);
        assertThat(calls.of("pay-6").get(0).getStatus()).isEqualTo(ResponseStatus.OK);
        awaitSpend(gateways, 7 * CALL);
        assertBudgetExceeded(calls.call("pay-7", "payer"));

        // and when both are killed again at the budget and restarted, it still is
        kill9(gateways);
        start(gateways, configs, 3);
        assertBudgetExceeded(calls.call("pay-8", "payer"));

        // and llm.usage holds one record per answered call: 0.056 USD, past the budget by less
        // than the one call in flight when it was reached
        List<Usage> usage = usage(bootstrap, "payer");
        assertThat(usage).hasSize(7);
        double spent = usage.stream().mapToDouble(Usage::getCostUsd).sum();
        assertThat(spent).isGreaterThanOrEqualTo(BUDGET).isLessThan(BUDGET + CALL);
        assertThat(usage.stream().map(Usage::getRequestId).distinct()).hasSize(7);
        System.out.printf(
            Locale.ROOT,
            "AdmissionBudgetKill9IT: provider calls %d, usage records %d, spend %.3f USD of %.3f%n",
            sim.statsJson().get("requests").asLong() - 1,
            usage.size(),
            spent,
            BUDGET);
      } finally {
        gateways.forEach(SluiceProcess::close);
      }
    }
  }

  private static void assertBudgetExceeded(Response r) {
    assertThat(r.getStatus()).as(r.getRequestId()).isEqualTo(ResponseStatus.REJECTED);
    assertThat(r.getError().getCode()).isEqualTo("budget_exceeded");
    assertThat(r.getError().getRetryAfterMs()).isPositive();
  }

  private static Path config(Path dir, String name, String bootstrap, LlmSimulator sim)
      throws IOException {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(
        file,
        """
        kafka:
          bootstrap_servers: %s
          application_id: admission-budget-kill9-it
          processing_guarantee: exactly_once_v2
          state_dir: %s
          instance_id: admission-budget-kill9-it-%s
        topics: {partitions: 4}
        providers:
          sim: {type: openai, base_url: "%s/v1", timeout_ms: 10000}
        models:
          gpt:
            deployments: [{provider: sim, model: m, price_per_mtok: {input: 1000, output: 1000}}]
        cache: {enabled: false}
        tenants:
          payer: {budget_usd: %s, budget_period: month}
          other: {models: ["*"]}
        http: {port: 0}
        """
            .formatted(bootstrap, dir.resolve(name + "-state"), name, sim.url(), BUDGET));
    return file;
  }

  /** Starts a gateway process per config, all at once, and waits until each runs. */
  private static void start(List<SluiceProcess> gateways, List<Path> configs, int round)
      throws IOException {
    List<SluiceProcess> started = new ArrayList<>();
    for (Path config : configs) {
      String name = config.getFileName().toString().replace(".yaml", "");
      started.add(
          SluiceProcess.start(
              JVM,
              LOGS.resolve(name + "-" + round + ".log"),
              "run",
              "--config",
              config.toString()));
    }
    gateways.addAll(started);
    started.forEach(p -> p.awaitOutput("Sluice gateway running", Duration.ofSeconds(120)));
  }

  /** {@code kill -9} of every gateway: no shutdown hook, no commit. */
  private static void kill9(List<SluiceProcess> gateways) throws InterruptedException {
    for (SluiceProcess p : gateways) {
      p.kill9();
    }
    gateways.clear();
  }

  /**
   * Waits until the instance that owns the tenant's admission task reports at least {@code usd}
   * spent ({@code sluice_tenant_spend_usd} on {@code /metrics}): the usage has been charged.
   */
  private static void awaitSpend(List<SluiceProcess> gateways, double usd) {
    List<String> urls = gateways.stream().map(AdmissionBudgetKill9IT::metricsUrl).toList();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> urls.stream().mapToDouble(u -> spend(u, "payer")).max().orElse(0) >= usd - 1e-9);
  }

  private static String metricsUrl(SluiceProcess p) {
    try {
      Matcher m = METRICS.matcher(p.output());
      if (!m.find()) {
        throw new IllegalStateException("no metrics URL in the gateway's output");
      }
      return m.group(1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tenant's spend gauge at {@code url}, or 0 when that instance does not own the tenant. */
  private static double spend(String url, String tenant) {
    HttpResponse<String> r;
    try {
      r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    String label = "tenant=\"" + tenant + "\"";
    return r.body()
        .lines()
        .filter(l -> l.startsWith("sluice_tenant_spend_usd{") && l.contains(label))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .max()
        .orElse(0);
  }

  private static List<Usage> usage(String bootstrap, String tenant) {
    try (Topics.Reader<Usage> usage = new Topics.Reader<>(bootstrap, "llm.usage", Usage.class)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                usage.poll();
                return usage.caughtUp();
              });
      return usage.values().stream().filter(u -> tenant.equals(u.getTenantId())).toList();
    }
  }

  /** One request at a time, each in its own session, and their answers. */
  private record Calls(KafkaProducer<String, Request> producer, Topics.Reader<Response> reader) {
    void send(String id, String tenant) {
      Request r = TwoGateways.request(id, "s-" + id, tenant);
      producer.send(new ProducerRecord<>("llm.requests", r.getSessionId(), r));
      producer.flush();
    }

    void await(String id, Duration timeout) {
      org.awaitility.Awaitility.await().atMost(timeout).until(() -> !of(id).isEmpty());
    }

    Response call(String id, String tenant) {
      send(id, tenant);
      await(id, Duration.ofSeconds(60));
      return of(id).get(0);
    }

    List<Response> of(String id) {
      return reader.poll().stream().filter(r -> r.getRequestId().equals(id)).toList();
    }
  }
}
