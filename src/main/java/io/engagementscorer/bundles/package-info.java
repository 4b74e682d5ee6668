/**
 * Where model bundles come from and how the served one is kept current: a local folder or S3
 * archives (fallback keys, a verified local cache), and the reloader that swaps new versions in.
 */
package io.engagementscorer.bundles;
