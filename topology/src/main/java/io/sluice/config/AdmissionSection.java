package io.sluice.config;

/**
 * {@code admission:} the tenant admission stage that enforces {@code tenants.<id>.rpm}, {@code
 * .tpm}, {@code .max_parallel} and {@code .budget_usd} (and the same limits of keys) across every
 * instance of the application. Every key is in the README.
 *
 * @param limits {@code auto} (the default: the stage is in the topology when any tenant in the
 *     config has a limit), {@code on} (always: for limits that only keys carry, or that live config
 *     will add), {@code off} (never: no extra hop, and a tenant limit in the config is an error)
 * @param defaultMaxTokens the completion tokens reserved at admission for a request that names no
 *     {@code max_tokens} (corrected when its usage arrives)
 */
public record AdmissionSection(String limits, Integer defaultMaxTokens) {
  public static final String AUTO = "auto";
  public static final String ON = "on";
  public static final String OFF = "off";

  public AdmissionSection {
    // YAML 1.1 reads a bare on/off as a boolean, which Jackson hands a String field as true/false
    limits =
        limits == null ? AUTO : "false".equals(limits) ? OFF : "true".equals(limits) ? ON : limits;
    defaultMaxTokens = defaultMaxTokens != null ? defaultMaxTokens : 1024;
  }

  public static AdmissionSection defaults() {
    return new AdmissionSection(null, null);
  }
}
