package io.sluice.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import okio.Buffer;
import org.junit.jupiter.api.Test;

class JsonBodyTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void givenATreeWhenOkhttpAsksForTheBodyThenItIsEncodedOnceWithItsExactLength() throws Exception {
    ObjectNode tree = MAPPER.createObjectNode().put("model", "m").put("text", "héllo");
    JsonBody body = new JsonBody(tree);

    // encoded on the first request for it (okhttp's thread), not when built
    tree.put("late", true);
    long length = body.contentLength();
    Buffer first = new Buffer();
    body.writeTo(first);
    tree.put("later", true);
    Buffer retry = new Buffer();
    body.writeTo(retry);

    byte[] sent = first.readByteArray();
    assertThat(MAPPER.readTree(sent))
        .isEqualTo(
            MAPPER.createObjectNode().put("model", "m").put("text", "héllo").put("late", true));
    assertThat(length).isEqualTo(sent.length).isGreaterThan("héllo".length());
    assertThat(new String(retry.readByteArray(), StandardCharsets.UTF_8))
        .as("a retry sends the same bytes")
        .isEqualTo(new String(sent, StandardCharsets.UTF_8));
    assertThat(body.contentType().toString()).isEqualTo("application/json");
  }
}
