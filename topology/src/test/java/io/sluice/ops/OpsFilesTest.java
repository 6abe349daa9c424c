package io.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The deploy files parse, and the alert rules pass promtool where it is installed. */
class OpsFilesTest {
  private static final Path OPS = Path.of("../ops");

  @Test
  void shouldParseEveryYamlAndJsonFileOfOps() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    ObjectMapper json = new ObjectMapper();
    List<Path> files;
    try (Stream<Path> s = Files.walk(OPS)) {
      files = s.filter(p -> p.toString().matches(".*\\.(ya?ml|json)$")).toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(8);
    for (Path f : files) {
      if (f.toString().endsWith(".json")) {
        assertThat(json.readTree(f.toFile())).as(f.toString()).isNotNull();
        continue;
      }
      try (YAMLParser p = new YAMLFactory().createParser(f.toFile())) {
        int docs = 0;
        for (var it = yaml.readValues(p, JsonNode.class); it.hasNext(); it.next()) {
          docs++;
        }
        assertThat(docs).as(f.toString()).isPositive();
      }
    }
  }

  @Test
  void shouldPassPromtoolOnTheAlertRules() throws Exception {
    boolean installed =
        Stream.of(System.getenv("PATH").split(File.pathSeparator))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "promtool")));
    Assumptions.assumeTrue(
        installed, "promtool is not installed (Debian package prometheus); .ci/run installs it");
    Process p =
        new ProcessBuilder(
                "promtool", "check", "rules", OPS.resolve("prometheus/alerts.yml").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("SUCCESS");
  }
}
