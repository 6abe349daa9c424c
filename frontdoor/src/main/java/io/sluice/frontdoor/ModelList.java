package io.sluice.frontdoor;

import java.util.List;

/**
 * The model aliases a tenant may use, for {@code GET /v1/models}. The gateway implements it from
 * its config (models, and the tenant's allowed models). Thread-safe and without I/O: it is called
 * on an event loop.
 */
@FunctionalInterface
public interface ModelList {
  List<String> aliases(String tenant);
}
