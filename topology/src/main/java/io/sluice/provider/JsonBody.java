package io.sluice.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/**
 * A JSON request body encoded when okhttp first asks for it, on the call's own thread, rather than
 * when the call is built on the stream thread; encoded once, so a retry reuses the bytes. The tree
 * must not change after it is handed over.
 */
final class JsonBody extends RequestBody {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final MediaType JSON = MediaType.get("application/json");

  private final ObjectNode tree;
  private volatile byte[] bytes;

  JsonBody(ObjectNode tree) {
    this.tree = tree;
  }

  private byte[] bytes() {
    byte[] b = bytes;
    if (b == null) {
      try {
        b = MAPPER.writeValueAsBytes(tree);
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
      bytes = b;
    }
    return b;
  }

  @Override
  public MediaType contentType() {
    return JSON;
  }

  @Override
  public long contentLength() {
    return bytes().length;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    sink.write(bytes());
  }
}
