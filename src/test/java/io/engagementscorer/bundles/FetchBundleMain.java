package io.engagementscorer.bundles;

import io.engagementscorer.config.ServiceConfig;

/** Fetches the configured bundle as the service does at start-up and prints what it got. */
public final class FetchBundleMain {
  private FetchBundleMain() {}

  /** Reads the environment, fetches, prints {@code version=... fromCache=...}. */
  public static void main(String[] args) {
    try (BundleSource source =
        BundleSources.open(ServiceConfig.fromProcessEnvironment().modelSource())) {
      FetchedBundle fetched = source.initial();
      System.out.println(
          "version="
              + fetched.bundle().manifest().version()
              + " fromCache="
              + fetched.origin().fromCache());
    }
  }
}
