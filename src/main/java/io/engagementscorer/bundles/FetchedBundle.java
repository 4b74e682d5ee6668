package io.engagementscorer.bundles;

import io.engagementscorer.model.ModelBundle;
import io.engagementscorer.model.ModelOrigin;

/**
 * A verified bundle on this machine and where it came from.
 *
 * @param bundle the bundle, its files checked against the manifest
 * @param origin the source, key and version it came from
 */
public record FetchedBundle(ModelBundle bundle, ModelOrigin origin) {}
