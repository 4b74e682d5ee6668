package io.engagementscorer.bundles;

import io.engagementscorer.config.ModelSourceConfig;
import io.engagementscorer.model.ModelOrigin;
import io.engagementscorer.model.ModelOrigin.SkippedKey;
import io.engagementscorer.s3.SharedS3Connection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Bundle archives in S3: the primary key, then the fallback keys in order, each downloaded once
 * into the {@link BundleCache} and verified there. At start-up, a key that is missing or holds a
 * bundle that fails a check is passed over for the next; when S3 cannot be reached, the newest
 * verified copy in the cache serves; bad credentials, a missing bucket or a wrong region stop
 * start-up with a message that says what to fix.
 */
final class S3BundleSource implements BundleSource {
  private static final Logger LOG = LoggerFactory.getLogger(S3BundleSource.class);

  private final ModelSourceConfig config;
  private final SharedS3Connection connection;
  private final BundleCache cache;

  /** A source over {@code connection}, which it opens on first use and leaves to its owner. */
  S3BundleSource(ModelSourceConfig config, SharedS3Connection connection, BundleCache cache) {
    this.config = config;
    this.connection = connection;
    this.cache = cache;
  }

  @Override
  public FetchedBundle initial() {
    checkCredentials();
    List<SkippedKey> skipped = new ArrayList<>();
    for (String key : config.keys()) {
      try {
        Optional<Revision> revision = head(key);
        if (revision.isEmpty()) {
          skipped.add(new SkippedKey(key, "not found"));
          LOG.warn("Model key s3://{}/{} does not exist; trying the next key", bucket(), key);
          continue;
        }
        return download(key, revision.get(), skipped);
      } catch (BundleSourceException e) {
        switch (e.kind()) {
          case REJECTED -> {
            skipped.add(new SkippedKey(key, "rejected: " + e.getMessage()));
            LOG.error(
                "Model s3://{}/{} rejected: {}; trying the next key",
                bucket(),
                key,
                e.getMessage());
          }
          case UNREACHABLE -> {
            return fromCache(skipped, key, e);
          }
          case REFUSED -> throw e;
        }
      }
    }
    throw noUsableKey(skipped);
  }

  @Override
  public Optional<Revision> latest() {
    return head(config.primaryKey());
  }

  @Override
  public FetchedBundle fetch(Revision revision) {
    return download(config.primaryKey(), revision, List.of());
  }

  @Override
  public void discard(FetchedBundle bundle) {
    ModelOrigin origin = bundle.origin();
    cache.discard(origin.bucket(), origin.key(), origin.etag());
  }

  private FetchedBundle download(String key, Revision revision, List<SkippedKey> skipped) {
    BundleCache.Entry entry =
        cache.obtain(
            bucket(), key, revision.id(), revision.size(), file -> get(key, revision.id(), file));
    String note =
        skipped.isEmpty()
            ? null
            : "fallback key: the keys before it were missing or rejected (see skipped)";
    return new FetchedBundle(
        entry.bundle(), origin(key, entry, !entry.downloaded(), skipped, note));
  }

  private FetchedBundle fromCache(
      List<SkippedKey> skipped, String failedKey, BundleSourceException unreachable) {
    List<SkippedKey> tried = new ArrayList<>(skipped);
    tried.add(new SkippedKey(failedKey, "unreachable: " + unreachable.getMessage()));
    for (String key : config.keys()) {
      Optional<BundleCache.Entry> cached = cache.newest(bucket(), key);
      if (cached.isPresent()) {
        BundleCache.Entry entry = cached.get();
        String note =
            "S3 could not be reached ("
                + unreachable.getMessage()
                + "); serving the copy of s3://"
                + bucket()
                + "/"
                + key
                + " cached at "
                + entry.info().downloadedAt();
        LOG.warn("{}", note);
        return new FetchedBundle(entry.bundle(), origin(key, entry, true, tried, note));
      }
    }
    throw BundleSourceException.unavailable(
        "S3 at "
            + connection.settings().describe()
            + " could not be reached for bucket "
            + bucket()
            + " (keys tried: "
            + describe(tried)
            + "), and the cache "
            + cache.root()
            + " holds no verified copy of "
            + String.join(", ", config.keys()),
        unreachable);
  }

  private BundleSourceException noUsableKey(List<SkippedKey> skipped) {
    boolean allMissing = skipped.stream().allMatch(skip -> skip.reason().equals("not found"));
    if (allMissing && !bucketExists()) {
      return BundleSourceException.refused(
          "bucket "
              + bucket()
              + " does not exist at "
              + connection.settings().describe()
              + " (S3_BUCKET_NAME)",
          null);
    }
    return BundleSourceException.refused(
        "no usable bundle in bucket "
            + bucket()
            + " at "
            + connection.settings().describe()
            + "; keys tried: "
            + describe(skipped),
        null);
  }

  private static String describe(List<SkippedKey> keys) {
    return String.join(
        "; ", keys.stream().map(skip -> skip.key() + " (" + skip.reason() + ")").toList());
  }

  private Optional<Revision> head(String key) {
    try {
      HeadObjectResponse head = s3().headObject(request -> request.bucket(bucket()).key(key));
      return Optional.of(
          new Revision(
              "s3://" + bucket() + "/" + key, stripQuotes(head.eTag()), head.contentLength()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw classify(key, e);
    } catch (SdkClientException e) {
      throw unreachable(key, e);
    }
  }

  private String get(String key, String etag, Path file) {
    GetObjectRequest request =
        GetObjectRequest.builder().bucket(bucket()).key(key).ifMatch('"' + etag + '"').build();
    try {
      GetObjectResponse response = s3().getObject(request, ResponseTransformer.toFile(file));
      return response.eTag();
    } catch (S3Exception e) {
      if (e.statusCode() == 412) {
        throw BundleSourceException.unavailable(
            "s3://" + bucket() + "/" + key + " changed during the download; the next try gets it",
            e);
      }
      throw classify(key, e);
    } catch (SdkClientException e) {
      throw unreachable(key, e);
    }
  }

  private boolean bucketExists() {
    try {
      s3().headBucket(request -> request.bucket(bucket()));
      return true;
    } catch (NoSuchBucketException e) {
      return false;
    } catch (S3Exception e) {
      return e.statusCode() != 404;
    }
  }

  /** An S3 error answer, as what it means for whoever configured the service. */
  private BundleSourceException classify(String key, S3Exception e) {
    String where = "s3://" + bucket() + "/" + key;
    int status = e.statusCode();
    String code = errorCode(e);
    if (status == 403) {
      return BundleSourceException.refused(
          "S3 refused " + where + " (403 " + diagnose403(key, code) + "): " + credentialsHint(code),
          e);
    }
    if (status == 301
        || "PermanentRedirect".equals(code)
        || "AuthorizationHeaderMalformed".equals(code)) {
      return BundleSourceException.refused(
          "bucket "
              + bucket()
              + " is not in AWS_REGION="
              + connection.settings().region()
              + " ("
              + status
              + " "
              + code
              + "): set AWS_REGION to the bucket's region",
          e);
    }
    if (status == 404 && "NoSuchBucket".equals(code)) {
      return BundleSourceException.refused(
          "bucket " + bucket() + " does not exist at " + connection.settings().describe(), e);
    }
    return BundleSourceException.unavailable(
        where + ": S3 answered " + status + (code.isEmpty() ? "" : " " + code), e);
  }

  /**
   * A HEAD answer has no body, so its 403 does not say why; a one-byte GET does (bad key id, wrong
   * secret, or no permission).
   */
  private String diagnose403(String key, String code) {
    if (!code.isEmpty()) {
      return code;
    }
    try {
      s3().getObject(
              request -> request.bucket(bucket()).key(key).range("bytes=0-0"),
              ResponseTransformer.toBytes());
      return "Forbidden";
    } catch (S3Exception e) {
      String detailed = errorCode(e);
      return detailed.isEmpty() ? "Forbidden" : detailed;
    } catch (SdkClientException e) {
      return "Forbidden";
    }
  }

  private static String credentialsHint(String code) {
    return switch (code) {
      case "InvalidAccessKeyId" ->
          "the access key id is not known to the store; check AWS_ACCESS_KEY_ID";
      case "SignatureDoesNotMatch" ->
          "the secret key does not match the access key id; check AWS_SECRET_ACCESS_KEY";
      case "AccessDenied" ->
          "the credentials are valid but may not read this object; grant s3:GetObject on it";
      default ->
          "the credentials are wrong or lack permission; check AWS_ACCESS_KEY_ID,"
              + " AWS_SECRET_ACCESS_KEY and the bucket policy";
    };
  }

  private BundleSourceException unreachable(String key, SdkClientException e) {
    return BundleSourceException.unavailable(
        "cannot reach S3 at "
            + connection.settings().describe()
            + " for s3://"
            + bucket()
            + "/"
            + key
            + ": "
            + e.getMessage(),
        e);
  }

  /** Fails fast, with the fix, when the SDK's chain finds no credentials at all. */
  private void checkCredentials() {
    try {
      connection.get().credentials().resolveCredentials();
    } catch (SdkClientException e) {
      throw BundleSourceException.refused(
          "USE_S3_MODEL=true but no AWS credentials were found: set AWS_ACCESS_KEY_ID and"
              + " AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an instance or task role ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  private ModelOrigin origin(
      String key,
      BundleCache.Entry entry,
      boolean fromCache,
      List<SkippedKey> skipped,
      String note) {
    return new ModelOrigin(
        "s3",
        entry.bundle().directory().toString(),
        bucket(),
        key,
        entry.info().etag(),
        entry.bundle().manifestSha256(),
        fromCache,
        skipped,
        note);
  }

  private static String errorCode(S3Exception e) {
    return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null
        ? ""
        : e.awsErrorDetails().errorCode();
  }

  private static String stripQuotes(String etag) {
    return etag == null ? "" : etag.replace("\"", "");
  }

  private String bucket() {
    return config.bucket();
  }

  private S3Client s3() {
    return connection.get().client();
  }

  @Override
  public String describe() {
    String primary = "s3://" + bucket() + "/" + config.primaryKey();
    List<String> fallbacks = config.keys().subList(1, config.keys().size());
    return fallbacks.isEmpty()
        ? primary
        : primary + " (fallbacks: " + String.join(", ", fallbacks) + ")";
  }

  /** Closes nothing: the S3 connection is its owner's to close. */
  @Override
  public void close() {}
}
