package io.sluice.cli;

import io.sluice.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluice}: the one command of the runnable jar. Exit codes: 0 success, 1 runtime failure, 2
 * bad usage or bad config (with a one-line message naming the problem).
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "An event-driven LLM gateway on Kafka Streams.",
    subcommands = {
      DevCommand.class,
      RunCommand.class,
      FrontDoorCommand.class,
      BridgeCommand.class,
      ReplayCommand.class,
      BrokerCommand.class,
      SimCommand.class,
      TopicsCommand.class,
      ProduceCommand.class,
      ConsumeCommand.class,
      BenchCommand.class,
      DlqCommand.class,
      KeysCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SluiceCli implements Runnable {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** Runs the command line and returns its exit code (tests call this instead of main). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new SluiceCli());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
            commandLine.getErr().println("sluice: " + e.getMessage());
            return USAGE;
          }
          commandLine.getErr().println("sluice: " + describe(e));
          return FAILURE;
        });
    return cli.execute(args);
  }

  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
        sb.append(": ").append(c.getMessage());
      }
    }
    return sb.toString();
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }
}
