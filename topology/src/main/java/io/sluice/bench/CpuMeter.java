package io.sluice.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU over the measured phase, in core-milliseconds per answered request: this JVM's (with the
 * embedded stack: broker, simulator, gateway and load generator together), its threads by group
 * (see {@link ThreadCpu}), the gateway's threads among them, and, given the pid of a gateway
 * running in its own process, that process's. The summary's {@code cpu} object.
 */
public final class CpuMeter implements MeasuredPhase {
  private static final int TOP_GROUPS = 20;

  private final Long gatewayPid;
  private long wallStart;
  private long wallNanos;
  private long processStart;
  private long processNanos;
  private long pidStart;
  private long pidNanos;
  private Map<Long, ThreadCpu.Sample> before = Map.of();
  private Map<Long, ThreadCpu.Sample> after = Map.of();

  /** {@code gatewayPid}: a gateway process to measure too (Linux), or null. */
  public CpuMeter(Long gatewayPid) {
    this.gatewayPid = gatewayPid;
  }

  @Override
  public void start() {
    wallStart = System.nanoTime();
    processStart = processCpu();
    pidStart = gatewayPid == null ? 0 : ProcStat.cpuNanos(gatewayPid);
    before = ThreadCpu.sample();
  }

  @Override
  public void end() {
    after = ThreadCpu.sample();
    processNanos = processCpu() - processStart;
    pidNanos = gatewayPid == null ? 0 : ProcStat.cpuNanos(gatewayPid) - pidStart;
    wallNanos = System.nanoTime() - wallStart;
  }

  @Override
  public void report(ObjectNode summary, long answered) {
    ObjectNode cpu = summary.putObject("cpu");
    double n = Math.max(1, answered);
    cpu.put("measured_s", round(wallNanos / 1e9));
    cpu.put("jvm_cores", round((double) processNanos / Math.max(1, wallNanos)));
    cpu.put("jvm_core_ms_per_request", round(processNanos / 1e6 / n));
    Map<String, long[]> groups = new HashMap<>(); // group -> {nanos, threads, gateway 0/1}
    long threadsTotal = 0;
    long gatewayTotal = 0;
    for (Map.Entry<Long, ThreadCpu.Sample> e : after.entrySet()) {
      ThreadCpu.Sample was = before.get(e.getKey());
      long d = e.getValue().cpuNanos() - (was == null ? 0 : was.cpuNanos());
      if (d <= 0) {
        continue;
      }
      String name = e.getValue().name();
      boolean gw = ThreadCpu.gateway(name);
      long[] g = groups.computeIfAbsent(ThreadCpu.group(name), k -> new long[] {0, 0, gw ? 1 : 0});
      g[0] += d;
      g[1]++;
      threadsTotal += d;
      if (gw) {
        gatewayTotal += d;
      }
    }
    cpu.put("gateway_threads_core_ms_per_request", round(gatewayTotal / 1e6 / n));
    // GC, the JIT compilers and the VM's own threads are no Java threads: the rest of the total
    cpu.put(
        "jvm_not_in_threads_core_ms_per_request", round((processNanos - threadsTotal) / 1e6 / n));
    if (gatewayPid != null) {
      cpu.put("gateway_pid", gatewayPid);
      cpu.put("gateway_process_cores", round((double) pidNanos / Math.max(1, wallNanos)));
      cpu.put("gateway_process_core_ms_per_request", round(pidNanos / 1e6 / n));
    }
    List<Map.Entry<String, long[]>> top = new ArrayList<>(groups.entrySet());
    top.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
    ArrayNode list = cpu.putArray("thread_groups");
    for (Map.Entry<String, long[]> e : top.subList(0, Math.min(TOP_GROUPS, top.size()))) {
      list.addObject()
          .put("group", e.getKey())
          .put("threads", e.getValue()[1])
          .put("gateway", e.getValue()[2] == 1)
          .put("core_ms_per_request", round(e.getValue()[0] / 1e6 / n));
    }
  }

  private static long processCpu() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
