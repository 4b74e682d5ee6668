package io.engagementscorer.bundles;

import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.s3.SharedS3Connection;

/** Fetches the configured bundle as the service does at start-up and prints what it got. */
public final class FetchBundleMain {
  private FetchBundleMain() {}

  /** Reads the environment, fetches, prints {@code version=... fromCache=...}. */
  public static void main(String[] args) {
    ServiceConfig config = ServiceConfig.fromProcessEnvironment();
    try (SharedS3Connection s3 = SharedS3Connection.of(config.s3());
        BundleSource source = BundleSources.open(config.modelSource(), s3)) {
      FetchedBundle fetched = source.initial();
      System.out.println(
          "version="
              + fetched.bundle().manifest().version()
              + " fromCache="
              + fetched.origin().fromCache());
    }
  }
}
