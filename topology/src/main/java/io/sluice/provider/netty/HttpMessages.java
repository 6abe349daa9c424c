package io.sluice.provider.netty;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.sluice.provider.HttpReply;
import java.io.IOException;
import java.util.Map;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.Buffer;

/**
 * okhttp's {@link Request} to Netty's request, and Netty's whole response to an {@link HttpReply}.
 */
final class HttpMessages {
  /** The largest answer body aggregated, in bytes. */
  static final int MAX_BODY = 32 << 20;

  private HttpMessages() {}

  /**
   * The request as Netty sends it, body encoded, with {@code Host}, a default {@code User-Agent},
   * the body's content type and length, and over HTTP/2 the {@code :scheme}.
   *
   * @throws IllegalArgumentException when the request is not for {@code origin}
   */
  static FullHttpRequest toNetty(Request r, Origin origin, boolean h2) throws IOException {
    RequestBody body = r.body();
    byte[] bytes = new byte[0];
    if (body != null) {
      Buffer b = new Buffer();
      body.writeTo(b);
      bytes = b.readByteArray();
    }
    HttpUrl url = r.url();
    if (!origin.serves(url)) {
      throw new IllegalArgumentException(url + " is not on " + origin);
    }
    String target =
        url.encodedQuery() == null
            ? url.encodedPath()
            : url.encodedPath() + "?" + url.encodedQuery();
    FullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.valueOf(r.method()),
            target,
            Unpooled.wrappedBuffer(bytes));
    HttpHeaders h = req.headers();
    h.set(HttpHeaderNames.HOST, origin.hostHeader());
    Headers given = r.headers();
    for (int i = 0; i < given.size(); i++) {
      h.add(given.name(i), given.value(i));
    }
    if (!h.contains(HttpHeaderNames.USER_AGENT)) {
      h.set(HttpHeaderNames.USER_AGENT, "sluice");
    }
    MediaType type = body == null ? null : body.contentType();
    if (type != null && !h.contains(HttpHeaderNames.CONTENT_TYPE)) {
      h.set(HttpHeaderNames.CONTENT_TYPE, type.toString());
    }
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    if (h2) {
      h.set(
          HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), origin.https() ? "https" : "http");
    }
    return req;
  }

  /** The whole answer: status, headers and a copy of the body. */
  static HttpReply reply(FullHttpResponse resp) {
    Headers.Builder b = new Headers.Builder();
    for (Map.Entry<String, String> e : resp.headers()) {
      b.addUnsafeNonAscii(e.getKey(), e.getValue());
    }
    return new HttpReply(resp.status().code(), b.build(), ByteBufUtil.getBytes(resp.content()));
  }

  static IOException asIo(Throwable t) {
    return t instanceof IOException io ? io : new IOException(String.valueOf(t), t);
  }
}
