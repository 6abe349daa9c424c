package io.sluice.schema.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.events.Response;
import io.sluice.events.ResponseChunk;
import io.sluice.internal.Completion;
import io.sluice.internal.PendingRequest;
import io.sluice.internal.SessionState;
import io.sluice.schema.EventType;
import io.sluice.schema.ReplyHeaders;
import io.sluice.schema.registry.CatalogSchemaRegistry.Entry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The catalog cannot drift: every bundled schema must be the latest catalog entry of each of its
 * subjects, and catalog files never change. Run with {@code -Dsluice.catalog.append=true} to append
 * the missing entries after changing a schema.
 */
class CatalogTest {
  private static final Path CATALOG_DIR = Path.of("src/main/resources/io/sluice/schema/catalog");

  static Map<String, Schema> bundledSubjects() {
    Map<String, Schema> subjects = new LinkedHashMap<>();
    for (EventType t : EventType.values()) {
      subjects.put("llm." + t.topicSuffix() + "-value", t.schema());
    }
    subjects.put("llm.cache-value", EventType.RESPONSE.schema());
    // the reply topic carries two record types, each under its TopicRecordNameStrategy subject
    subjects.put(
        ReplyHeaders.subject("llm.replies", Response.getClassSchema()), Response.getClassSchema());
    subjects.put(
        ReplyHeaders.subject("llm.replies", ResponseChunk.getClassSchema()),
        ResponseChunk.getClassSchema());
    // internal topics of the default application id
    subjects.put("sluice-completions-value", Completion.getClassSchema());
    subjects.put("sluice-pending-changelog-value", PendingRequest.getClassSchema());
    subjects.put("sluice-sessions-changelog-value", SessionState.getClassSchema());
    subjects.put("sluice-answered-changelog-value", Response.getClassSchema());
    return subjects;
  }

  @Test
  void shouldHaveEveryBundledSchemaAsTheLatestCatalogEntryOfItsSubject() throws IOException {
    List<Entry> catalog = CatalogSchemaRegistry.readCatalog();
    List<String> missing = new ArrayList<>();
    Map<String, Integer> idsByFingerprint = new HashMap<>();
    Map<String, Integer> lastVersion = new HashMap<>();
    int maxId = 0;
    for (Entry e : catalog) {
      idsByFingerprint.put(e.sha256(), e.id());
      lastVersion.merge(e.subject(), e.version(), Math::max);
      maxId = Math.max(maxId, e.id());
    }
    for (Map.Entry<String, Schema> s : bundledSubjects().entrySet()) {
      String subject = s.getKey();
      String sha = SchemaFingerprint.of(s.getValue());
      Entry latest = null;
      for (Entry e : catalog) {
        if (e.subject().equals(subject)) {
          latest = e;
        }
      }
      if (latest != null && latest.sha256().equals(sha)) {
        continue;
      }
      int version = lastVersion.getOrDefault(subject, 0) + 1;
      Integer id = idsByFingerprint.get(sha);
      if (id == null) {
        id = ++maxId;
        idsByFingerprint.put(sha, id);
      }
      String file = s.getValue().getName() + ".id" + id + ".avsc";
      missing.add(subject + "\t" + version + "\t" + id + "\t" + file + "\t" + sha);
      lastVersion.put(subject, version);
      if (Boolean.getBoolean("sluice.catalog.append")) {
        Path path = CATALOG_DIR.resolve(file);
        if (!Files.exists(path)) {
          String pretty =
              new ObjectMapper()
                  .writerWithDefaultPrettyPrinter()
                  .writeValueAsString(new ObjectMapper().readTree(s.getValue().toString()));
          Files.writeString(path, pretty + "\n", StandardCharsets.UTF_8);
        }
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    if (Boolean.getBoolean("sluice.catalog.append")) {
      Files.writeString(
          CATALOG_DIR.resolve("catalog.tsv"),
          String.join("\n", missing) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      return;
    }
    fail(
        "bundled schemas changed without a catalog entry; run"
            + " `./mvnw -pl schemas test -Dsluice.catalog.append=true` or append to catalog.tsv:\n"
            + String.join("\n", missing));
  }

  @Test
  void shouldKeepEveryCatalogFileAsItWasRecorded() {
    for (Entry e : CatalogSchemaRegistry.readCatalog()) {
      Schema schema = CatalogSchemaRegistry.loadCatalogSchema(e);
      assertThat(SchemaFingerprint.of(schema)).as(e.file()).isEqualTo(e.sha256());
    }
  }

  @Test
  void shouldGiveEachIdOneSchemaAndEachSubjectConsecutiveVersions() {
    Map<Integer, String> shaById = new HashMap<>();
    Map<String, Integer> versions = new HashMap<>();
    for (Entry e : CatalogSchemaRegistry.readCatalog()) {
      String previous = shaById.putIfAbsent(e.id(), e.sha256());
      assertThat(previous == null || previous.equals(e.sha256()))
          .as("id %d names one schema", e.id())
          .isTrue();
      int expected = versions.merge(e.subject(), 1, Integer::sum);
      assertThat(e.version()).as("version of %s", e.subject()).isEqualTo(expected);
      assertThat(e.id()).isLessThan(CatalogSchemaRegistry.DYNAMIC_ID_BASE);
    }
  }
}
