package io.engagementscorer.bundles;

import io.engagementscorer.model.ModelBundle;
import io.engagementscorer.model.ModelException;
import io.engagementscorer.model.ModelOrigin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A bundle folder on this machine ({@code MODEL_DIR}). Its version is the sha256 of its manifest,
 * so writing a new bundle into the folder (manifest last, as the exporter does) is a new version.
 */
final class LocalBundleSource implements BundleSource {
  private final Path directory;

  LocalBundleSource(Path directory) {
    this.directory = directory.toAbsolutePath().normalize();
  }

  @Override
  public FetchedBundle initial() {
    return fetched(ModelBundle.open(directory));
  }

  @Override
  public Optional<Revision> latest() {
    Path manifest = directory.resolve(ModelBundle.MANIFEST);
    if (!Files.isRegularFile(manifest)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Revision(directory.toString(), ModelBundle.sha256(manifest), 0));
    } catch (IOException e) {
      throw BundleSourceException.unavailable("cannot read " + manifest + ": " + e, e);
    }
  }

  @Override
  public FetchedBundle fetch(Revision revision) {
    try {
      return fetched(ModelBundle.open(directory));
    } catch (ModelException e) {
      throw BundleSourceException.rejected(e.getMessage(), e);
    }
  }

  private static FetchedBundle fetched(ModelBundle bundle) {
    return new FetchedBundle(
        bundle, ModelOrigin.local(bundle.directory().toString(), bundle.manifestSha256()));
  }

  @Override
  public String describe() {
    return directory.toString();
  }

  @Override
  public void close() {}
}
