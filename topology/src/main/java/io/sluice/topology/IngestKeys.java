package io.sluice.topology;

import io.sluice.events.Request;
import io.sluice.keys.KeyLookup;
import io.sluice.keys.VirtualKey;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Virtual keys at ingest. A Kafka producer may send its key in the {@value #HEADER} record header;
 * {@link #screen} removes it from the record on arrival (before it can be held, dead-lettered or
 * forwarded, so it reaches no topic, store or log) and leaves only its verdict, the key's id or a
 * refusal, in an internal header, which {@link #verdict} takes off again. {@link #admit} then sets
 * tenant_id and key_id from a good key, and refuses a request whose key is bad, revoked, of another
 * tenant or not allowed its model. A {@code key_id} written by a producer without the header is
 * trusted as written (Kafka ACLs decide who may write requests), except that a key known to be
 * revoked or restricted is enforced. Lookups are in memory: no I/O on the stream thread.
 */
final class IngestKeys {
  /** The record header a Kafka producer may carry its key in. */
  static final String HEADER = "sluice.key";

  /** Internal: the verdict on a {@value #HEADER}, between {@link #screen} and {@link #verdict}. */
  static final String VERDICT = "sluice.key.verdict";

  private static final String REFUSED_OFF = "!off";
  private static final String REFUSED_BAD = "!bad";

  private final KeyLookup keys;
  private final boolean checkHeader;

  IngestKeys(KeySettings settings) {
    this.keys = settings.lookup();
    this.checkHeader = settings.checkHeader();
  }

  /**
   * Removes every {@value #HEADER} (and any {@value #VERDICT} a producer wrote) from {@code
   * headers}, adding the verdict on the key when there was one. Call first, on every record.
   */
  void screen(Headers headers) {
    Header key = null;
    int count = 0;
    for (Header h : headers.headers(HEADER)) {
      key = h;
      count++;
    }
    headers.remove(HEADER);
    headers.remove(VERDICT);
    if (key == null) {
      return;
    }
    String verdict;
    if (!checkHeader) {
      verdict = REFUSED_OFF;
    } else if (count > 1 || key.value() == null) {
      verdict = REFUSED_BAD;
    } else {
      Optional<VirtualKey> k =
          keys.byPlaintext(new String(key.value(), StandardCharsets.UTF_8).strip());
      verdict = k.isPresent() && k.get().active() ? k.get().id() : REFUSED_BAD;
    }
    headers.add(VERDICT, verdict.getBytes(StandardCharsets.UTF_8));
  }

  /** Takes the verdict {@link #screen} left off {@code headers}: null when there was no key. */
  static String verdict(Headers headers) {
    Header v = headers.lastHeader(VERDICT);
    headers.remove(VERDICT);
    return v == null || v.value() == null ? null : new String(v.value(), StandardCharsets.UTF_8);
  }

  /**
   * Applies the key to {@code r} (tenant_id, key_id) or says why it is refused.
   *
   * @param verdict what {@link #verdict} returned
   */
  Optional<RequestValidator.Rejection> admit(Request r, String verdict) {
    if (REFUSED_OFF.equals(verdict)) {
      return invalid("the " + HEADER + " header is not accepted here (keys.kafka_header is off)");
    }
    if (verdict != null) {
      Optional<VirtualKey> k = verdict.startsWith("!") ? Optional.empty() : keys.byId(verdict);
      if (k.isEmpty() || !k.get().active()) {
        return invalid("the key in the " + HEADER + " header is unknown or revoked");
      }
      r.setTenantId(k.get().tenant());
      r.setKeyId(k.get().id());
    }
    if (r.getKeyId() == null) {
      return Optional.empty();
    }
    Optional<VirtualKey> k = keys.byId(r.getKeyId());
    if (k.isEmpty()) {
      return Optional.empty(); // not read here yet, or a producer's own label: trusted as written
    }
    String id = k.get().id();
    if (!k.get().active()) {
      return invalid("key " + id + " is revoked");
    }
    if (!k.get().tenant().equals(r.getTenantId())) {
      return invalid("key " + id + " does not belong to tenant_id of the request");
    }
    if (r.getModel() != null && !k.get().allows(r.getModel())) {
      return Optional.of(
          new RequestValidator.Rejection(
              "model_not_allowed",
              (RequestValidator.echoable(r.getModel()) ? "model '" + r.getModel() + "'" : "model")
                  + " is not allowed for key "
                  + id));
    }
    return Optional.empty();
  }

  private static Optional<RequestValidator.Rejection> invalid(String message) {
    return Optional.of(new RequestValidator.Rejection("invalid_key", message));
  }
}
