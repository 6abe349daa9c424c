package io.sluice.provider;

import okhttp3.Headers;

/** A provider's whole HTTP answer: status, headers and body bytes. */
public record HttpReply(int status, Headers headers, byte[] body) {
  public boolean successful() {
    return status >= 200 && status < 300;
  }
}
