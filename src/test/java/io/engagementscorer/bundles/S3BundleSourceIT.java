package io.engagementscorer.bundles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engagementscorer.config.ServiceConfig;
import io.engagementscorer.model.BundleFixtures;
import io.engagementscorer.model.ModelOrigin;
import io.engagementscorer.model.ModelOrigin.SkippedKey;
import io.engagementscorer.s3.SharedS3Connection;
import io.engagementscorer.testing.S3Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundles from a real S3-compatible server (s3proxy on loopback) through the verified cache. */
class S3BundleSourceIT {
  private static final String BUCKET = "models";
  private static final String PRIMARY = "engagement/current.tar.gz";
  private static final String FALLBACK = "engagement/previous.tar.gz";
  private static final byte[] TINY = BundleArchives.tarGz(BundleFixtures.TINY);

  @TempDir Path cache;
  @TempDir Path work;
  private S3Store s3;

  @BeforeEach
  void startStore() throws Exception {
    s3 = S3Store.start();
    s3.createBucket(BUCKET);
    useCredentials(S3Store.ACCESS_KEY, S3Store.SECRET_KEY);
  }

  @AfterEach
  void stopStore() throws Exception {
    s3.close();
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private static void useCredentials(String accessKey, String secretKey) {
    // The SDK's default chain reads these before the environment.
    System.setProperty("aws.accessKeyId", accessKey);
    System.setProperty("aws.secretAccessKey", secretKey);
  }

  private Map<String, String> environment(String... fallbacks) {
    Map<String, String> env = new HashMap<>();
    env.put("USE_S3_MODEL", "true");
    env.put("S3_BUCKET_NAME", BUCKET);
    env.put("S3_MODEL_KEY", PRIMARY);
    env.put("S3_MODEL_FALLBACK_KEYS", String.join(",", fallbacks));
    env.put("S3_ENDPOINT", s3.endpoint());
    env.put("S3_PATH_STYLE", "true");
    env.put("MODEL_CACHE_DIR", cache.toString());
    return env;
  }

  private FetchedBundle initial(Map<String, String> env) {
    ServiceConfig config = ServiceConfig.fromEnv(env);
    try (SharedS3Connection s3 = SharedS3Connection.of(config.s3());
        BundleSource source = BundleSources.open(config.modelSource(), s3)) {
      return source.initial();
    }
  }

  @Test
  void shouldServeThePrimaryKey() {
    s3.put(BUCKET, PRIMARY, TINY);

    FetchedBundle fetched = initial(environment(FALLBACK));

    ModelOrigin origin = fetched.origin();
    assertThat(fetched.bundle().manifest().version()).isEqualTo("tiny-1");
    assertThat(origin.type()).isEqualTo("s3");
    assertThat(origin.bucket()).isEqualTo(BUCKET);
    assertThat(origin.key()).isEqualTo(PRIMARY);
    assertThat(origin.etag()).isEqualTo(BundleCacheTest.md5(TINY));
    assertThat(origin.fromCache()).isFalse();
    assertThat(origin.skipped()).isEmpty();
    assertThat(Path.of(origin.path())).startsWith(cache);
    assertThat(s3.downloads()).isEqualTo(1);
  }

  @Test
  void shouldFallBackWhenThePrimaryKeyIsMissingAndSayWhy() {
    s3.put(BUCKET, FALLBACK, TINY);

    ModelOrigin origin = initial(environment(FALLBACK)).origin();

    assertThat(origin.key()).isEqualTo(FALLBACK);
    assertThat(origin.skipped()).containsExactly(new SkippedKey(PRIMARY, "not found"));
    assertThat(origin.note()).contains("fallback");
  }

  @Test
  void shouldPassOverACorruptPrimaryForTheFallback() {
    s3.put(BUCKET, PRIMARY, Arrays.copyOf(TINY, TINY.length / 2));
    s3.put(BUCKET, FALLBACK, TINY);

    ModelOrigin origin = initial(environment(FALLBACK)).origin();

    assertThat(origin.key()).isEqualTo(FALLBACK);
    assertThat(origin.skipped()).hasSize(1);
    assertThat(origin.skipped().get(0).reason()).startsWith("rejected: ").contains("corrupt");
  }

  @Test
  void shouldRejectABundleWhoseFilesDoNotMatchItsManifest() throws Exception {
    Path broken = BundleFixtures.copyOfTiny(work.resolve("broken"));
    Files.write(broken.resolve("sentiment.pt"), new byte[] {1});
    s3.put(BUCKET, PRIMARY, BundleArchives.tarGz(broken));

    assertThatThrownBy(() -> initial(environment()))
        .isInstanceOf(BundleSourceException.class)
        .hasMessageContaining("no usable bundle in bucket models")
        .hasMessageContaining(PRIMARY)
        .hasMessageContaining("does not match its manifest")
        .hasMessageContaining("sentiment.pt");
  }

  @Test
  void shouldReuseTheCacheWithoutASecondDownload() {
    s3.put(BUCKET, PRIMARY, TINY);
    ModelOrigin first = initial(environment()).origin();

    ModelOrigin second = initial(environment()).origin();

    assertThat(s3.downloads()).isEqualTo(1);
    assertThat(second.fromCache()).isTrue();
    assertThat(second.etag()).isEqualTo(first.etag());
    assertThat(second.path()).isEqualTo(first.path());
  }

  @Test
  void shouldDownloadANewVersionOfTheSameKey() throws Exception {
    s3.put(BUCKET, PRIMARY, TINY);
    initial(environment());
    s3.put(
        BUCKET,
        PRIMARY,
        BundleArchives.tarGz(BundleFixtures.tinyWithVersion(work.resolve("v2"), "tiny-2")));

    FetchedBundle second = initial(environment());

    assertThat(second.bundle().manifest().version()).isEqualTo("tiny-2");
    assertThat(second.origin().fromCache()).isFalse();
    assertThat(s3.downloads()).isEqualTo(2);
  }

  @Test
  void shouldStartFromAWarmCacheWhenS3IsDown() throws Exception {
    s3.put(BUCKET, PRIMARY, TINY);
    initial(environment());
    s3.stop();

    FetchedBundle fetched = initial(environment());

    assertThat(fetched.bundle().manifest().version()).isEqualTo("tiny-1");
    assertThat(fetched.origin().fromCache()).isTrue();
    assertThat(fetched.origin().note()).contains("could not be reached").contains(PRIMARY);
  }

  @Test
  void shouldNameTheBucketKeysAndErrorsWhenS3IsDownAndTheCacheEmpty() throws Exception {
    s3.stop();

    assertThatThrownBy(() -> initial(environment(FALLBACK)))
        .isInstanceOfSatisfying(
            BundleSourceException.class,
            e -> assertThat(e.kind()).isEqualTo(BundleSourceException.Kind.UNREACHABLE))
        .hasMessageContaining("bucket models")
        .hasMessageContaining(PRIMARY)
        .hasMessageContaining("could not be reached")
        .hasMessageContaining(cache.toString());
  }

  @Test
  void shouldSayWhenTheAccessKeyIsUnknown() {
    s3.put(BUCKET, PRIMARY, TINY);
    useCredentials("nobody", S3Store.SECRET_KEY);

    assertThatThrownBy(() -> initial(environment()))
        .isInstanceOfSatisfying(
            BundleSourceException.class,
            e -> assertThat(e.kind()).isEqualTo(BundleSourceException.Kind.REFUSED))
        .hasMessageContaining("InvalidAccessKeyId")
        .hasMessageContaining("AWS_ACCESS_KEY_ID");
  }

  @Test
  void shouldSayWhenTheSecretKeyIsWrong() {
    s3.put(BUCKET, PRIMARY, TINY);
    useCredentials(S3Store.ACCESS_KEY, "wrong-secret");

    assertThatThrownBy(() -> initial(environment()))
        .hasMessageContaining("SignatureDoesNotMatch")
        .hasMessageContaining("AWS_SECRET_ACCESS_KEY");
  }

  @Test
  void shouldSayWhenTheBucketDoesNotExist() {
    Map<String, String> env = environment();
    env.put("S3_BUCKET_NAME", "no-such-bucket");

    assertThatThrownBy(() -> initial(env))
        .hasMessageContaining("bucket no-such-bucket does not exist")
        .hasMessageContaining("S3_BUCKET_NAME");
  }

  @Test
  void shouldNameEveryKeyTriedWhenNoneExists() {
    assertThatThrownBy(() -> initial(environment(FALLBACK)))
        .hasMessageContaining(PRIMARY + " (not found)")
        .hasMessageContaining(FALLBACK + " (not found)");
  }

  @Test
  void shouldDownloadOnceWhenTwoProcessesStartOnTheSameCache() throws Exception {
    s3.put(BUCKET, PRIMARY, TINY);
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      processes.add(childFetch(environment()));
    }
    for (Process process : processes) {
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String output = new String(process.getInputStream().readAllBytes());
      assertThat(process.exitValue()).as(output).isZero();
      assertThat(output).contains("version=tiny-1");
    }
    assertThat(s3.downloads()).isEqualTo(1);
  }

  /** A JVM that fetches the bundle as the service would at start-up, then prints its version. */
  private Process childFetch(Map<String, String> env) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Daws.accessKeyId=" + S3Store.ACCESS_KEY);
    command.add("-Daws.secretAccessKey=" + S3Store.SECRET_KEY);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(FetchBundleMain.class.getName());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    return builder.start();
  }
}
