/**
 * Where model bundles come from: a local folder or S3 archives (fallback keys, a verified local
 * cache), each fetched bundle with the revision it was read at.
 */
package io.engagementscorer.bundles;
