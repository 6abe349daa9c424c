package io.sluice.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * This JVM's collections over the measured phase, by collector (with G1, {@code G1 Old Generation}
 * counts full collections), and the largest heap left after a collection, sampled at every progress
 * line: what stays live under the load, without forcing a collection. The summary's {@code gc}
 * object; with the embedded stack it is the whole stack's heap.
 */
public final class GcMeter implements MeasuredPhase {
  private final Map<String, Long> countsAtStart = new HashMap<>();
  private final Map<String, Long> counts = new HashMap<>();
  private long maxAfterGc;

  @Override
  public void start() {
    for (GarbageCollectorMXBean gc : collectors()) {
      countsAtStart.put(gc.getName(), gc.getCollectionCount());
    }
  }

  @Override
  public void tick() {
    for (GarbageCollectorMXBean gc : collectors()) {
      if (gc instanceof com.sun.management.GarbageCollectorMXBean sun
          && sun.getLastGcInfo() != null) {
        long heap = 0;
        for (Map.Entry<String, MemoryUsage> pool :
            sun.getLastGcInfo().getMemoryUsageAfterGc().entrySet()) {
          if (heapPool(pool.getKey())) {
            heap += pool.getValue().getUsed();
          }
        }
        maxAfterGc = Math.max(maxAfterGc, heap);
      }
    }
  }

  @Override
  public void end() {
    tick();
    for (GarbageCollectorMXBean gc : collectors()) {
      counts.put(
          gc.getName(), gc.getCollectionCount() - countsAtStart.getOrDefault(gc.getName(), 0L));
    }
  }

  @Override
  public void report(ObjectNode summary, long answered) {
    ObjectNode gc = summary.putObject("gc");
    counts.forEach((name, n) -> gc.put(name, n));
    gc.put("max_heap_after_gc_mib", maxAfterGc >> 20);
    gc.put("heap_max_mib", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax() >> 20);
  }

  private static List<GarbageCollectorMXBean> collectors() {
    return ManagementFactory.getGarbageCollectorMXBeans();
  }

  private static boolean heapPool(String name) {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .anyMatch(
            p -> p.getName().equals(name) && p.getType() == java.lang.management.MemoryType.HEAP);
  }
}
