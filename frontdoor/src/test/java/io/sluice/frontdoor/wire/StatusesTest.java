package io.sluice.frontdoor.wire;

import static io.sluice.frontdoor.wire.WireFixtures.failed;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.events.ErrorInfo;
import io.sluice.events.Response;
import io.sluice.events.ResponseStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusesTest {
  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "REJECTED, invalid_request, 400",
    "REJECTED, unknown_tenant, 401",
    "REJECTED, model_not_allowed, 403",
    "REJECTED, unknown_model, 404",
    "ERROR, cache_miss, 404",
    "REJECTED, request_too_large, 413",
    "ERROR, request_too_large, 413",
    "REJECTED, rate_limited, 429",
    "ERROR, rate_limited, 429",
    "REJECTED, budget_exceeded, 429",
    "ERROR, context_length_exceeded, 400",
    "ERROR, provider_error, 502",
    "ERROR, provider_unavailable, 502",
    "ERROR, circuit_open, 502",
    "ERROR, stream_interrupted, 502",
    "ERROR, auth_failed, 502",
    "ERROR, not_found, 502",
    "ERROR, unknown_provider, 502",
    "ERROR, response_too_large, 502",
    "ERROR, tool_rounds_exceeded, 502",
    "ERROR, internal_error, 500",
    "ERROR, timeout, 504",
    "REJECTED, some_future_refusal, 400",
    "ERROR, some_future_failure, 500"
  })
  void shouldMapEachGatewayErrorCodeToTheContractsStatus(
      ResponseStatus status, String code, int http) {
    // Given a response with an error code; When mapped
    WireError e = Statuses.of(failed(status, code, "why", null));

    // Then the status is the contract's, and the code and message are kept
    assertThat(e.status()).isEqualTo(http);
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.getMessage()).isEqualTo("why");
  }

  @Test
  void shouldSendRetryAfterWithARateLimit() {
    // Given a provider's 429 that failed the request; When mapped
    Response r = failed(ResponseStatus.ERROR, "rate_limited", "sim answered HTTP 429", null);
    r.setError(new ErrorInfo("rate_limited", "sim answered HTTP 429", true, 429, null));

    // Then it is passed through as 429 with a Retry-After
    WireError e = Statuses.of(r);
    assertThat(e.status()).isEqualTo(429);
    assertThat(e.retryAfterSeconds()).isEqualTo(1L);
  }

  @ParameterizedTest(name = "{0} after {1} ms -> Retry-After {2}")
  @CsvSource({
    "rate_limited, 1, 1",
    "rate_limited, 1000, 1",
    "rate_limited, 1001, 2",
    "rate_limited, 42500, 43",
    "budget_exceeded, 3600000, 3600"
  })
  void shouldRoundTheAdmissionsRetryTimeUpToWholeSeconds(String code, long ms, long seconds) {
    // Given a request refused at admission with a retry time in milliseconds
    Response r = failed(ResponseStatus.REJECTED, code, "over the tenant's limit", null);
    r.setError(new ErrorInfo(code, "over the tenant's limit", false, null, ms));

    // When mapped; Then 429 with Retry-After in seconds, rounded up
    WireError e = Statuses.of(r);
    assertThat(e.status()).isEqualTo(429);
    assertThat(e.retryAfterSeconds()).isEqualTo(seconds);
  }

  @Test
  void shouldSendNoRetryAfterForABudgetWithoutARetryTime() {
    // Given a budget refusal naming no wait; When mapped; Then 429 without Retry-After
    WireError e = Statuses.of(failed(ResponseStatus.REJECTED, "budget_exceeded", "spent", null));
    assertThat(e.status()).isEqualTo(429);
    assertThat(e.retryAfterSeconds()).isNull();
  }

  @Test
  void shouldTreatARetryableUnknownFailureAsAProviderError() {
    // Given an unknown code marked retryable; When mapped; Then 502
    Response r = failed(ResponseStatus.ERROR, "x", "why", null);
    r.setError(new ErrorInfo("x", "why", true, null, null));
    assertThat(Statuses.of(r).status()).isEqualTo(502);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        "messages[3].role 'bot' is not one of system, user, assistant, tool|messages[3].role",
        "messages[0].tool_call_id is required for role tool|messages[0].tool_call_id",
        "params.temperature 3.0 is not between 0 and 2|temperature",
        "tools[2].parameters_json is not valid JSON: x|tools[2].parameters_json",
        "messages must not be empty|messages",
        "model is required|model",
        "the request is 9000 bytes|null",
        "priority 12 is not between 0 and 9|priority"
      })
  void shouldNameTheFieldAnInvalidRequestMessageStartsWith(String message, String field) {
    // Given a validator's message; When a 400 is made of it; Then its param is the field
    WireError e = Statuses.of(failed(ResponseStatus.REJECTED, "invalid_request", message, null));
    assertThat(e.param()).isEqualTo(field);
  }

  @Test
  void shouldMapAnErrorWithoutErrorInfo() {
    // Given responses without error info; When mapped; Then 400 refused and 502 failed
    Response refused = failed(ResponseStatus.REJECTED, "x", "y", null);
    refused.setError(null);
    Response failedOne = failed(ResponseStatus.ERROR, "x", "y", null);
    failedOne.setError(null);
    assertThat(Statuses.of(refused).status()).isEqualTo(400);
    assertThat(Statuses.of(failedOne).status()).isEqualTo(502);
  }
}
