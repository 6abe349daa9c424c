package io.sluice.dev.sim;

/** A request the simulator refuses with 400, as the real provider would. */
final class SimBadRequest extends RuntimeException {
  SimBadRequest(String message) {
    super(message);
  }
}
