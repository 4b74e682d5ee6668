package io.engagementscorer.bundles;

import java.util.Optional;

/** Where model bundles come from: a local folder, or archives in S3 behind a verified cache. */
public interface BundleSource extends AutoCloseable {
  /**
   * A version of the bundle at its source, named cheaply, without fetching it.
   *
   * @param location where it is: {@code s3://bucket/key} or a folder
   * @param id its version there: the S3 ETag, or the manifest's sha256
   * @param size the archive's size in bytes (0 for a folder)
   */
  record Revision(String location, String id, long size) {}

  /**
   * The bundle to start with.
   *
   * @throws BundleSourceException naming what was tried and why each failed
   */
  FetchedBundle initial();

  /**
   * The newest revision of the primary bundle, or empty when the source holds none now.
   *
   * @throws BundleSourceException when the source cannot be asked
   */
  Optional<Revision> latest();

  /**
   * Fetches and verifies {@code revision}.
   *
   * @throws BundleSourceException when it cannot be fetched, or fails a check ({@link
   *     BundleSourceException#rejected()})
   */
  FetchedBundle fetch(Revision revision);

  /**
   * Forgets a fetched bundle that turned out unusable (it failed to load or its self-check), so
   * that a cache does not keep it, offer it when the source is unreachable, or prefer it to the
   * bundle being served.
   */
  default void discard(FetchedBundle bundle) {}

  /** The source in words, for logs: {@code s3://bucket/key (fallbacks: ...)} or the folder. */
  String describe();

  @Override
  void close();
}
