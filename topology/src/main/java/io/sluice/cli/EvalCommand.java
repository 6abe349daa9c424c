package io.sluice.cli;

import io.sluice.semantic.LabelledPairs;
import io.sluice.semantic.MiniLmEmbedder;
import io.sluice.semantic.SemanticEval;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice eval}: offline evaluations (a short CPU run; no Kafka, no provider). */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Offline evaluations of Sluice's content features.",
    subcommands = {EvalCommand.Semantic.class})
final class EvalCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required (semantic)");
  }

  /** {@code sluice eval semantic}. */
  @Command(
      name = "semantic",
      mixinStandardHelpOptions = true,
      description =
          "Scores the semantic cache on labelled prompt pairs: recall and false-hit rate per"
              + " threshold and guard, the chosen default, embedding time per prompt (p50/p99) and"
              + " the exact index's search time.")
  static final class Semantic implements Callable<Integer> {
    @Option(
        names = "--set",
        description = "A TSV of labelled pairs (default: the bundled set, pairs.tsv).")
    Path set;

    @Option(
        names = "--thresholds",
        split = ",",
        defaultValue = "0.80,0.82,0.84,0.86,0.88,0.90,0.92,0.94,0.96,0.98",
        description = "Thresholds to score (default ${DEFAULT-VALUE}).")
    double[] thresholds;

    @Option(
        names = "--index-sizes",
        split = ",",
        defaultValue = "1000,10000",
        description = "Exact-index sizes whose search time is measured (default ${DEFAULT-VALUE}).")
    int[] indexSizes;

    @Option(
        names = "--show",
        description =
            "List the false hits and refused paraphrases at this threshold (default: the chosen one).")
    Double show;

    @Override
    public Integer call() {
      LabelledPairs pairs = set == null ? LabelledPairs.bundled() : LabelledPairs.of(set);
      double[] sorted = thresholds.clone();
      Arrays.sort(sorted);
      new SemanticEval(new MiniLmEmbedder(), System.out)
          .run(pairs, sorted, indexSizes, show == null ? Double.NaN : show);
      return 0;
    }
  }
}
