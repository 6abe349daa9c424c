package io.sluice.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time of this JVM's threads, by thread, and how a thread's name is grouped and attributed. The
 * gateway's threads are those whose name, or the client id after {@code " | "} in a Kafka client
 * thread's name, starts with {@code sluice-}: Kafka Streams names its threads after the application
 * id ({@code sluice-bench-<uuid>-StreamThread-1}), and every Sluice thread and Kafka client is
 * named {@code sluice-...}; the load generator's own threads ({@code sluice-bench-receiver} and the
 * like, its producer {@code bench-load}), the embedded broker and the simulator are not. GC and JIT
 * compiler threads are not Java threads and are seen only in the process's total.
 */
final class ThreadCpu {
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern DIGITS = Pattern.compile("\\d+");

  private ThreadCpu() {}

  /** A thread's name and CPU time so far. */
  record Sample(String name, long cpuNanos) {}

  /** Every live thread's CPU time, by thread id (threads without a measurable time left out). */
  static Map<Long, Sample> sample() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<Long, Sample> out = new HashMap<>();
    if (!mx.isThreadCpuTimeSupported()) {
      return out;
    }
    if (!mx.isThreadCpuTimeEnabled()) {
      mx.setThreadCpuTimeEnabled(true);
    }
    long[] ids = mx.getAllThreadIds();
    ThreadInfo[] infos = mx.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      long cpu = mx.getThreadCpuTime(ids[i]);
      if (infos[i] != null && cpu >= 0) {
        out.put(ids[i], new Sample(infos[i].getThreadName(), cpu));
      }
    }
    return out;
  }

  /** The name with UUIDs as {@code *} and numbers as {@code #}: threads of one kind together. */
  static String group(String name) {
    return DIGITS.matcher(UUID.matcher(name).replaceAll("*")).replaceAll("#");
  }

  /** Whether a thread of this name works for the gateway (see the class comment). */
  static boolean gateway(String name) {
    int bar = name.indexOf(" | ");
    String n = bar >= 0 ? name.substring(bar + 3) : name;
    return n.startsWith("sluice-")
        && !n.startsWith("sluice-bench-receiver")
        && !n.startsWith("sluice-bench-http")
        && !n.startsWith("sluice-bench-tools")
        && !n.startsWith("sluice-registry");
  }
}
