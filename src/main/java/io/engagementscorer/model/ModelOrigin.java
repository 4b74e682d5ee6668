package io.engagementscorer.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Where a served bundle came from, as {@code /api/v1/model-info} reports it.
 *
 * @param type {@code local} or {@code s3}
 * @param path the bundle folder on this machine (for S3, the verified copy in the cache)
 * @param bucket S3 only: the bucket
 * @param key S3 only: the archive's key that served
 * @param etag S3 only: the archive's ETag, which names its version
 * @param manifestSha256 sha256 of the bundle's manifest, which names a local bundle's version
 * @param fromCache S3 only: served from the local cache without downloading
 * @param skipped S3 only: keys tried before the one that served, and why each was passed over
 * @param note S3 only: why this source, when it is not the plain primary key (a fallback, or the
 *     cache because S3 could not be reached)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ModelOrigin(
    String type,
    String path,
    String bucket,
    String key,
    String etag,
    String manifestSha256,
    boolean fromCache,
    List<SkippedKey> skipped,
    String note) {

  /**
   * A key that did not serve.
   *
   * @param key the key
   * @param reason why: missing, or the bundle it holds was rejected and for what
   */
  public record SkippedKey(String key, String reason) {}

  public ModelOrigin {
    skipped = List.copyOf(skipped);
  }

  /** A bundle read from a local folder. */
  public static ModelOrigin local(String path, String manifestSha256) {
    return new ModelOrigin("local", path, null, null, null, manifestSha256, false, List.of(), null);
  }

  /** Where the version came from, as one string: {@code s3://bucket/key} or the folder. */
  public String location() {
    return "s3".equals(type) ? "s3://" + bucket + "/" + key : path;
  }

  /** The version of the source this is: the ETag for S3, the manifest's sha256 for a folder. */
  public String revision() {
    return "s3".equals(type) ? etag : manifestSha256;
  }
}
