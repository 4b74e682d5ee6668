/**
 * The S3 client the service shares between model bundles and image references: its settings
 * (endpoint override, path-style addressing, region), one connection opened on first use and closed
 * once, credentials from the SDK's chain.
 */
package io.engagementscorer.s3;
