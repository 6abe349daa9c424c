package io.sluice.topology;

import io.sluice.config.SluiceConfig;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.routing.ModelCatalog;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rules a readable request must pass; a failure names the field and the reason. A value quoted
 * in a message is clipped, so that the REJECTED response stays small whatever the request holds.
 */
final class RequestValidator {
  private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

  /** Most characters of a request's value quoted in a rejection message. */
  static final int MAX_QUOTED = 64;

  /** Why a request is refused: a stable code and a message naming the field. */
  record Rejection(String code, String message) {}

  private final ModelCatalog models;
  private final Map<String, SluiceConfig.TenantConfig> tenants;
  private final RequestLimits limits;

  RequestValidator(
      ModelCatalog models, Map<String, SluiceConfig.TenantConfig> tenants, RequestLimits limits) {
    this.models = models;
    this.tenants = tenants;
    this.limits = limits;
  }

  Optional<Rejection> validate(Request r) {
    if (blank(r.getRequestId())) {
      return invalid("request_id is required");
    }
    if (blank(r.getSessionId())) {
      return invalid("session_id is required");
    }
    if (blank(r.getModel())) {
      return invalid("model is required");
    }
    Optional<Rejection> longId =
        tooLong("request_id", r.getRequestId())
            .or(() -> tooLong("session_id", r.getSessionId()))
            .or(() -> tooLong("tenant_id", r.getTenantId()))
            .or(() -> tooLong("model", r.getModel()));
    if (longId.isPresent()) {
      return longId;
    }
    List<ChatMessage> messages = r.getMessages();
    if (messages.isEmpty()) {
      return invalid("messages must not be empty");
    }
    if (messages.size() > limits.maxRequestMessages()) {
      return invalid(
          "messages has "
              + messages.size()
              + " entries, more than sessions.max_request_messages ("
              + limits.maxRequestMessages()
              + ")");
    }
    for (int i = 0; i < messages.size(); i++) {
      String role = messages.get(i).getRole();
      if (!ROLES.contains(role)) {
        return invalid(
            "messages["
                + i
                + "].role '"
                + clip(role)
                + "' is not one of system, user, assistant, tool");
      }
      if (role.equals("tool") && blank(messages.get(i).getToolCallId())) {
        return invalid("messages[" + i + "].tool_call_id is required for role tool");
      }
    }
    if (r.getPriority() < 0 || r.getPriority() > 9) {
      return invalid("priority " + r.getPriority() + " is not between 0 and 9");
    }
    if (r.getTimeoutMs() != null && r.getTimeoutMs() <= 0) {
      return invalid("timeout_ms must be positive");
    }
    Optional<String> broken =
        ParamsAndToolsRules.params(r.getParams()).or(() -> ParamsAndToolsRules.tools(r.getTools()));
    if (broken.isPresent()) {
      return invalid(broken.get());
    }
    if (models.route(r.getModel()).isEmpty()) {
      return Optional.of(
          new Rejection(
              "unknown_model",
              "model '"
                  + r.getModel()
                  + "' is not a configured alias "
                  + models.aliases()
                  + " or provider/model of a configured provider"));
    }
    if (!tenants.isEmpty()) {
      if (blank(r.getTenantId())) {
        return Optional.of(new Rejection("unknown_tenant", "tenant_id is required"));
      }
      SluiceConfig.TenantConfig t = tenants.get(r.getTenantId());
      if (t == null) {
        return Optional.of(
            new Rejection(
                "unknown_tenant", "tenant_id '" + r.getTenantId() + "' is not configured"));
      }
      if (!t.models().contains("*") && !t.models().contains(r.getModel())) {
        return Optional.of(
            new Rejection(
                "model_not_allowed",
                "model '"
                    + r.getModel()
                    + "' is not allowed for tenant '"
                    + r.getTenantId()
                    + "'"));
      }
    }
    return Optional.empty();
  }

  /**
   * The model as a metric tag: a model no route serves is tagged {@code unknown}, so that requests
   * naming random models do not make a meter each.
   */
  String modelTag(Request r) {
    String model = r.getModel();
    return model != null && echoable(model) && models.route(model).isPresent() ? model : "unknown";
  }

  /**
   * Whether {@code value} of an id field may be echoed in a response: an overlong one is not (it
   * would be the response's key), the rejection names its length instead.
   */
  static boolean echoable(String value) {
    return value == null || value.length() <= RequestLimits.MAX_ID_LENGTH;
  }

  /** {@code s} cut to {@value #MAX_QUOTED} characters, marked when cut. */
  static String clip(String s) {
    return s.length() <= MAX_QUOTED ? s : s.substring(0, MAX_QUOTED) + "...";
  }

  private static Optional<Rejection> tooLong(String field, String value) {
    if (echoable(value)) {
      return Optional.empty();
    }
    return invalid(
        field + " is " + value.length() + " characters, more than " + RequestLimits.MAX_ID_LENGTH);
  }

  private static Optional<Rejection> invalid(String message) {
    return Optional.of(new Rejection("invalid_request", message));
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
