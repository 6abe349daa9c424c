/**
 * The {@code sluice} command line (picocli): {@link io.sluice.cli.SluiceCli} and one class per
 * subcommand ({@code dev}, {@code run}, {@code replay}, {@code broker}, {@code sim}, {@code
 * topics}, {@code produce}, {@code consume}, {@code dlq}, {@code bridge}, {@code bench}). Commands
 * parse options and hand over to the packages that do the work; exit codes are 0 success, 1 runtime
 * failure, 2 bad usage or config.
 */
package io.sluice.cli;
