package io.sluice.semantic;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The labelled prompt pairs the default threshold is chosen on: a TSV of {@code label lang kind a
 * b}, where label is {@code same} (a paraphrase that deserves the same answer) or {@code different}
 * (a near miss: another entity, number, negation, unit direction, target language, time ...). Lines
 * starting with {@code #} are comments. The bundled set is {@link #BUNDLED}.
 */
public record LabelledPairs(List<Pair> pairs) {
  public static final String BUNDLED = "/io/sluice/semantic/pairs.tsv";

  /** One labelled pair. */
  public record Pair(boolean same, String lang, String kind, String a, String b) {}

  public static LabelledPairs bundled() {
    InputStream in = LabelledPairs.class.getResourceAsStream(BUNDLED);
    if (in == null) {
      throw new IllegalStateException(BUNDLED + " is not on the class path");
    }
    return read(in, BUNDLED);
  }

  public static LabelledPairs of(Path file) {
    try {
      return read(Files.newInputStream(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static LabelledPairs read(InputStream in, String source) {
    List<Pair> pairs = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        if (f.length != 5 || !(f[0].equals("same") || f[0].equals("different"))) {
          throw new IllegalArgumentException(
              source + ":" + n + ": expected 'same|different<TAB>lang<TAB>kind<TAB>a<TAB>b'");
        }
        pairs.add(new Pair(f[0].equals("same"), f[1], f[2], f[3], f[4]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new LabelledPairs(List.copyOf(pairs));
  }
}
