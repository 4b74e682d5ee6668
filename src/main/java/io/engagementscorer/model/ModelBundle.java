package io.engagementscorer.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A verified model bundle on disk: its directory and its parsed, validated manifest. Opening a
 * bundle checks every file's size and sha256 against the manifest, so a bundle that opened is
 * exactly the one the exporter wrote.
 */
public final class ModelBundle {
  /** The manifest's file name inside a bundle directory. */
  public static final String MANIFEST = "manifest.json";

  static final ObjectMapper MANIFEST_MAPPER =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

  private static final Set<String> REQUIRED_FILES = Set.of("regressor.pt", "sentiment.pt");

  private final Path directory;
  private final BundleManifest manifest;
  private final String manifestSha256;

  private ModelBundle(Path directory, BundleManifest manifest, String manifestSha256) {
    this.directory = directory;
    this.manifest = manifest;
    this.manifestSha256 = manifestSha256;
  }

  /**
   * Opens, validates and verifies the bundle in {@code directory}.
   *
   * @throws ModelException naming the file or manifest field that is wrong
   */
  public static ModelBundle open(Path directory) {
    Path dir = directory.toAbsolutePath().normalize();
    Path manifestFile = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      throw new ModelException(
          "No model bundle at " + dir + ": " + MANIFEST + " is missing (set MODEL_DIR)");
    }
    BundleManifest manifest;
    String manifestSha256;
    try {
      manifest = MANIFEST_MAPPER.readValue(manifestFile.toFile(), BundleManifest.class);
      manifestSha256 = sha256(manifestFile);
    } catch (IOException e) {
      throw new ModelException(manifestFile + " is not a valid manifest: " + e.getMessage(), e);
    }
    ManifestValidator.validate(manifest, manifestFile);
    verifyFiles(dir, manifest);
    return new ModelBundle(dir, manifest, manifestSha256);
  }

  /**
   * This bundle after its owner renamed the whole folder to {@code directory} (an atomic move on
   * one file system, so the files are the ones already verified): no second pass of hashing.
   */
  public ModelBundle movedTo(Path directory) {
    return new ModelBundle(directory.toAbsolutePath().normalize(), manifest, manifestSha256);
  }

  /** The bundle directory, absolute. */
  public Path directory() {
    return directory;
  }

  /** The validated manifest. */
  public BundleManifest manifest() {
    return manifest;
  }

  /** Hex sha256 of the manifest file, which changes with any file of the bundle. */
  public String manifestSha256() {
    return manifestSha256;
  }

  /** A file of the bundle, by its name in the manifest. */
  public Path file(String name) {
    return directory.resolve(name);
  }

  /**
   * Checks the service's LoRA settings against the bundle's, both ways.
   *
   * @throws ModelException saying both values when they differ
   */
  public void requireLora(boolean useLora, int loraRank) {
    BundleManifest.Lora lora = manifest.lora();
    if (useLora != lora.enabled()) {
      throw new ModelException(
          "USE_LORA="
              + useLora
              + " but the bundle "
              + manifest.name()
              + " "
              + manifest.version()
              + (lora.enabled() ? " was fine-tuned with LoRA" : " has no LoRA fine-tune")
              + " (manifest lora.enabled="
              + lora.enabled()
              + ")");
    }
    if (useLora && loraRank != lora.rank()) {
      throw new ModelException(
          "LORA_RANK="
              + loraRank
              + " but the bundle "
              + manifest.name()
              + " "
              + manifest.version()
              + " was fine-tuned with LoRA rank "
              + lora.rank()
              + " (manifest lora.rank)");
    }
  }

  private static void verifyFiles(Path dir, BundleManifest manifest) {
    for (String required : REQUIRED_FILES) {
      if (!manifest.files().containsKey(required)) {
        throw new ModelException(dir.resolve(MANIFEST) + " does not list " + required);
      }
    }
    for (String name :
        List.of(
            manifest.text().tokenizer(),
            manifest.sentiment().tokenizer(),
            manifest.reference().cases())) {
      if (!manifest.files().containsKey(name)) {
        throw new ModelException(dir.resolve(MANIFEST) + " does not list " + name);
      }
    }
    for (Map.Entry<String, BundleManifest.FileEntry> entry : manifest.files().entrySet()) {
      verifyFile(dir, entry.getKey(), entry.getValue());
    }
  }

  private static void verifyFile(Path dir, String name, BundleManifest.FileEntry expected) {
    Path file = dir.resolve(name).normalize();
    if (!file.startsWith(dir)) {
      throw new ModelException("Manifest file entry '" + name + "' points outside the bundle");
    }
    if (!Files.isRegularFile(file)) {
      throw new ModelException("Bundle file " + file + " is missing");
    }
    try {
      long size = Files.size(file);
      if (size != expected.size()) {
        throw new ModelException(
            "Bundle file " + file + " has " + size + " bytes, manifest says " + expected.size());
      }
      String actual = sha256(file);
      if (!actual.equalsIgnoreCase(expected.sha256())) {
        throw new ModelException(
            "Bundle file "
                + file
                + " has sha256 "
                + actual
                + ", manifest says "
                + expected.sha256()
                + ": the bundle is corrupt or was modified");
      }
    } catch (IOException e) {
      throw new ModelException("Cannot read bundle file " + file, e);
    }
  }

  /** Hex sha256 of a file's content. */
  public static String sha256(Path file) throws IOException {
    return hexDigest(file, "SHA-256");
  }

  /** Hex digest of a file's content with a JDK algorithm ({@code SHA-256}, {@code MD5}). */
  public static String hexDigest(Path file, String algorithm) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalArgumentException("no " + algorithm + " in this JVM", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
