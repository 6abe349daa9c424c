package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateLocationTest {
  @TempDir Path home;
  private String realHome;

  @BeforeEach
  void pointHomeAtATempDirectory() {
    realHome = System.getProperty("user.home");
    System.setProperty("user.home", home.toString());
  }

  @AfterEach
  void restoreHome() {
    System.setProperty("user.home", realHome);
  }

  @Test
  void givenAConfiguredStateDir_whenResolved_thenItIsUsedAsIs() {
    assertThat(StateLocation.resolve("/var/lib/sluice/state", "abc"))
        .isEqualTo(Path.of("/var/lib/sluice/state"));
  }

  @Test
  void givenNoStateDir_whenResolved_thenEachClusterHasItsOwnDirectoryUnderTheHome() {
    Path one = StateLocation.resolve(null, "MkU3OEVBNTcwNTJENDM2Qk");
    Path two = StateLocation.resolve("", "U2x1aWNlRGV2Q2x1c3Rlcg");

    assertThat(one).isEqualTo(home.resolve(".sluice/state/MkU3OEVBNTcwNTJENDM2Qk"));
    assertThat(two).isEqualTo(home.resolve(".sluice/state/U2x1aWNlRGV2Q2x1c3Rlcg"));
    assertThat(one.toString()).doesNotStartWith(System.getProperty("java.io.tmpdir") + "/sluice");
  }

  @Test
  void givenAClusterIdWithPathCharacters_whenResolved_thenItStaysOneDirectoryName() {
    assertThat(StateLocation.resolve(null, "../x/y").getFileName().toString()).isEqualTo("___x_y");
  }
}
