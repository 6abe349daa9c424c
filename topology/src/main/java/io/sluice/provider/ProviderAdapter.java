package io.sluice.provider;

import io.sluice.provider.stream.StreamReader;
import java.io.IOException;
import okhttp3.Request;

/**
 * Translates between Sluice's canonical chat call and one provider's HTTP API. Stateless and
 * thread-safe; one instance per configured provider.
 */
public interface ProviderAdapter {
  /** The HTTP request for {@code call}, with the provider's auth headers. */
  default Request toHttp(ChatCall call) {
    return toHttp(call, false);
  }

  /**
   * The HTTP request for {@code call}; {@code stream}: the provider is asked to stream its answer
   * as Server-Sent Events, read by {@link #streamReader}.
   */
  Request toHttp(ChatCall call, boolean stream);

  /** A reader of one streamed answer in this provider's format, handing deltas to {@code out}. */
  StreamReader streamReader(StreamReader.DeltaListener out);

  /** Reads a 2xx answer's body; a body it cannot read is an {@link IOException}. */
  ChatResult parse(byte[] body) throws IOException;

  /** Classifies a non-2xx answer from its status, headers and body. */
  ProviderFailure failure(int status, okhttp3.Headers headers, String body);
}
