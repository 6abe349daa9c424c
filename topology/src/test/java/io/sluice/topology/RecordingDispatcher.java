package io.sluice.topology;

import io.sluice.dispatch.DispatchJob;
import io.sluice.dispatch.Dispatcher;
import java.util.ArrayList;
import java.util.List;

/** A dispatcher for topology tests: records jobs, accepts them unless told it is full. */
final class RecordingDispatcher implements Dispatcher {
  final List<DispatchJob> jobs = new ArrayList<>();
  boolean full;

  @Override
  public synchronized boolean submit(DispatchJob job) {
    if (full) {
      return false;
    }
    jobs.add(job);
    return true;
  }

  synchronized DispatchJob last() {
    return jobs.get(jobs.size() - 1);
  }

  @Override
  public int inFlight() {
    return jobs.size();
  }

  @Override
  public void close() {}
}
