package io.sluice.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.bench.SessionPrefill;
import io.sluice.bench.StateSize;
import io.sluice.bench.Workload;
import io.sluice.events.Request;
import io.sluice.events.Response;
import io.sluice.schema.serde.ConfluentAvroSerde;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * The steps {@link BenchCostOptions} add around the measurement: the session prefill before it, and
 * the state on disk and the heap after the prefill and after the run.
 */
final class BenchCostSteps {
  private BenchCostSteps() {}

  /** Fills the sessions asked for; null when none were. */
  static ObjectNode prefill(
      BenchCostOptions cost,
      String bootstrap,
      Properties kafka,
      String requestsTopic,
      String responsesTopic,
      Workload w,
      ConfluentAvroSerde<Request> requestSerde,
      ConfluentAvroSerde<Response> responseSerde)
      throws InterruptedException {
    if (cost.prefillSessions == 0) {
      return null;
    }
    System.err.printf("prefill: %,d sessions%n", cost.prefillSessions);
    return new SessionPrefill(
            new SessionPrefill.Options(
                bootstrap,
                kafka,
                requestsTopic,
                responsesTopic,
                cost.prefillSessions,
                cost.prefillInFlight,
                Duration.ofSeconds(cost.prefillTimeoutS),
                w.history(),
                w.model()),
            requestSerde,
            responseSerde,
            System.err)
        .run();
  }

  /**
   * After the prefill: the state directory's size, and this JVM's heap after a full collection
   * (with the embedded stack, broker and load generator included; a gateway in its own process is
   * measured there, e.g. with {@code jcmd PID GC.heap_info}).
   */
  static void afterPrefill(ObjectNode prefill, Path stateDir) {
    if (stateDir != null) {
      prefill.put("state_dir_bytes", StateSize.bytes(stateDir));
    }
    System.gc(); // the bench's own JVM: what stays live with the sessions filled in
    prefill.put(
        "jvm_heap_after_full_gc_mib",
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20);
    System.err.println("prefill: " + prefill);
  }

  /** Adds the prefill's figures and the state directory's size after the run to the summary. */
  static void addState(ObjectNode summary, ObjectNode prefill, Path stateDir) {
    if (prefill != null) {
      summary.set("prefill", prefill);
    }
    if (stateDir != null) {
      summary.put("state_dir", stateDir.toString());
      summary.put("state_dir_bytes", StateSize.bytes(stateDir));
    }
  }
}
