package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ThreadCpuTest {
  @Test
  void shouldCountTheGatewaysStreamThreadsAndClientsAsTheGateways() {
    assertThat(
            ThreadCpu.gateway("sluice-bench-1b4e28ba-2fa1-11d2-883f-0016d3cca427-StreamThread-1"))
        .isTrue();
    assertThat(
            ThreadCpu.gateway(
                "kafka-producer-network-thread | sluice-bench-1b4e28ba-2fa1-11d2-883f-0016d3cca427-StreamThread-1-producer"))
        .isTrue();
    assertThat(ThreadCpu.gateway("kafka-producer-network-thread | sluice-completions")).isTrue();
    assertThat(ThreadCpu.gateway("sluice-http-3-1")).isTrue();
  }

  @Test
  void shouldNotCountTheLoadGeneratorTheBrokerOrTheSimulator() {
    assertThat(ThreadCpu.gateway("sluice-bench-receiver")).isFalse();
    assertThat(ThreadCpu.gateway("kafka-producer-network-thread | bench-load")).isFalse();
    assertThat(ThreadCpu.gateway("data-plane-kafka-request-handler-0")).isFalse();
    assertThat(ThreadCpu.gateway("multiThreadIoEventLoopGroup-2-1")).isFalse();
    assertThat(ThreadCpu.gateway("sluice-registry-http")).isFalse();
    assertThat(ThreadCpu.gateway("main")).isFalse();
  }

  @Test
  void shouldGroupThreadsOfOneKindWhateverTheirIdsAndNumbers() {
    assertThat(ThreadCpu.group("sluice-bench-1b4e28ba-2fa1-11d2-883f-0016d3cca427-StreamThread-12"))
        .isEqualTo("sluice-bench-*-StreamThread-#");
    assertThat(ThreadCpu.group("data-plane-kafka-request-handler-7"))
        .isEqualTo(ThreadCpu.group("data-plane-kafka-request-handler-0"));
  }

  @Test
  void shouldSampleThisThreadsCpuTime() {
    long id = Thread.currentThread().getId();

    assertThat(ThreadCpu.sample()).containsKey(id);
    assertThat(ThreadCpu.sample().get(id).name()).isEqualTo(Thread.currentThread().getName());
  }
}
