package io.sluice.cli;

import picocli.CommandLine;

/** The version from the jar's manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = SluiceCli.class.getPackage().getImplementationVersion();
    return new String[] {"sluice " + (v != null ? v : "(development build)")};
  }
}
