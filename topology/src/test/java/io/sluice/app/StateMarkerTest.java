package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateMarkerTest {
  @TempDir Path appDir;

  @Test
  void givenNoMarker_whenRead_thenEmpty() throws Exception {
    assertThat(StateMarker.read(appDir)).isEmpty();
    assertThat(StateMarker.read(appDir.resolve("missing"))).isEmpty();
  }

  @Test
  void givenAWrittenMarker_whenRead_thenTheSameClusterAndTopicIds() throws Exception {
    new StateMarker("cluster-1", "topic-1").write(appDir);
    new StateMarker("cluster-2", null).write(appDir.resolve("nested"));

    assertThat(StateMarker.read(appDir)).contains(new StateMarker("cluster-1", "topic-1"));
    assertThat(StateMarker.read(appDir.resolve("nested")))
        .contains(new StateMarker("cluster-2", null));
    assertThat(appDir.resolve(StateMarker.FILE + ".tmp")).doesNotExist();
  }

  @Test
  void givenAMarkerWithoutAClusterId_whenRead_thenEmpty() throws Exception {
    Files.writeString(appDir.resolve(StateMarker.FILE), "cache.topic.id=x\n");

    assertThat(StateMarker.read(appDir)).isEmpty();
  }
}
