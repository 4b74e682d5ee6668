package io.engagementscorer.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The committed tiny bundle, and copies of it that tests may break. */
public final class BundleFixtures {
  /** The committed default bundle, relative to the project root where Maven runs tests. */
  public static final Path TINY = Path.of("models/tiny");

  private static final ObjectMapper JSON = new ObjectMapper();

  private BundleFixtures() {}

  /** A copy of the tiny bundle under {@code target}. */
  public static Path copyOfTiny(Path target) {
    return copy(TINY, target);
  }

  /** A copy of the bundle folder {@code bundle} under {@code target}. */
  public static Path copy(Path bundle, Path target) {
    try (Stream<Path> files = Files.walk(bundle)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path destination = target.resolve(bundle.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(destination);
        } else {
          Files.copy(source, destination);
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A copy of the tiny bundle under {@code target} that calls itself {@code version}. */
  public static Path tinyWithVersion(Path target, String version) {
    copyOfTiny(target);
    Path manifestFile = target.resolve(ModelBundle.MANIFEST);
    ObjectNode manifest = readJson(manifestFile);
    manifest.put("version", version);
    writeJson(manifestFile, manifest);
    return target;
  }

  /**
   * A copy of the tiny bundle under {@code target} as an exporter before the regressor parts wrote
   * it: no {@code regressor_parts} section and no part files, only the monolithic regressor.
   */
  public static Path tinyWithoutParts(Path target) {
    copyOfTiny(target);
    Path manifestFile = target.resolve(ModelBundle.MANIFEST);
    ObjectNode manifest = readJson(manifestFile);
    ObjectNode parts = (ObjectNode) manifest.remove("regressor_parts");
    ObjectNode files = (ObjectNode) manifest.get("files");
    try {
      for (String part : List.of("image_encoder", "text_encoder", "head")) {
        String file = parts.get(part).asText();
        files.remove(file);
        Files.delete(target.resolve(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    writeJson(manifestFile, manifest);
    return target;
  }

  /** Records a bundle file's new size and sha256 in the manifest, as the exporter would. */
  public static void rehash(Path bundle, String file) {
    try {
      Path manifestFile = bundle.resolve(ModelBundle.MANIFEST);
      ObjectNode manifest = readJson(manifestFile);
      ObjectNode entry = (ObjectNode) manifest.get("files").get(file);
      entry.put("sha256", ModelBundle.sha256(bundle.resolve(file)));
      entry.put("size", Files.size(bundle.resolve(file)));
      writeJson(manifestFile, manifest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a JSON object file, to edit. */
  public static ObjectNode readJson(Path file) {
    try {
      return (ObjectNode) JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes an edited JSON object back. */
  public static void writeJson(Path file, ObjectNode tree) {
    try {
      JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
