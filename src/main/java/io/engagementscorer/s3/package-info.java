/**
 * The S3 client the service shares between model bundles and image references: endpoint override,
 * path-style addressing and timeouts from configuration, credentials from the SDK's chain.
 */
package io.engagementscorer.s3;
