package io.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sluice config}: live configuration ({@code apply}, {@code show}). */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description =
        "Live configuration: publish a config file's providers, models, routing, tenants, cache and"
            + " guardrails sections to the config topic, which every running instance applies"
            + " within seconds, without a restart; or show what is in force.",
    subcommands = {ConfigApplyCommand.class, ConfigShowCommand.class})
final class ConfigCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "apply or show is required");
  }
}
