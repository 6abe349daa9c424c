package io.sluice.topology;

import io.sluice.config.SluiceConfig;
import io.sluice.events.ChatMessage;
import io.sluice.events.Request;
import io.sluice.routing.ModelCatalog;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The rules a readable request must pass; a failure names the field and the reason. */
final class RequestValidator {
  private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

  /** Why a request is refused: a stable code and a message naming the field. */
  record Rejection(String code, String message) {}

  private final ModelCatalog models;
  private final Map<String, SluiceConfig.TenantConfig> tenants;

  RequestValidator(ModelCatalog models, Map<String, SluiceConfig.TenantConfig> tenants) {
    this.models = models;
    this.tenants = tenants;
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
    List<ChatMessage> messages = r.getMessages();
    if (messages.isEmpty()) {
      return invalid("messages must not be empty");
    }
    for (int i = 0; i < messages.size(); i++) {
      String role = messages.get(i).getRole();
      if (!ROLES.contains(role)) {
        return invalid(
            "messages[" + i + "].role '" + role + "' is not one of system, user, assistant, tool");
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

  private static Optional<Rejection> invalid(String message) {
    return Optional.of(new Rejection("invalid_request", message));
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
