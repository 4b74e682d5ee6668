package io.engagementscorer.s3;

import java.time.Duration;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.SdkHttpService;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.utils.AttributeMap;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * An S3 client with its HTTP client and credentials, closed together. Works against AWS and, with
 * an endpoint override and path-style addressing, against S3-compatible stores such as MinIO.
 */
public final class S3Connection implements AutoCloseable {
  private final SdkHttpClient httpClient;
  private final S3Client client;
  private final AwsCredentialsProvider credentials;

  private S3Connection(
      SdkHttpClient httpClient, S3Client client, AwsCredentialsProvider credentials) {
    this.httpClient = httpClient;
    this.client = client;
    this.credentials = credentials;
  }

  /**
   * Opens a connection signing with {@code credentials}, which it then owns.
   *
   * @param connectTimeout longest a TCP connection may take to open
   * @param readTimeout longest a read may wait for bytes (not a limit on a whole download)
   * @param calls retries and call timeouts
   */
  public static S3Connection open(
      S3Settings settings,
      AwsCredentialsProvider credentials,
      Duration connectTimeout,
      Duration readTimeout,
      Consumer<ClientOverrideConfiguration.Builder> calls) {
    SdkHttpClient httpClient = httpClient(connectTimeout, readTimeout);
    S3ClientBuilder builder =
        S3Client.builder()
            .region(Region.of(settings.region()))
            .credentialsProvider(credentials)
            .forcePathStyle(settings.pathStyle())
            .httpClient(httpClient)
            .overrideConfiguration(calls);
    if (settings.endpoint() != null) {
      // S3-compatible stores often refuse the flexible-checksum headers newer SDKs send by
      // default (s3proxy answers 501), so checksums are used only where an operation needs them.
      builder
          .endpointOverride(settings.endpoint())
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    return new S3Connection(httpClient, builder.build(), credentials);
  }

  /** The client. */
  public S3Client client() {
    return client;
  }

  /** The credentials the client signs with. */
  public AwsCredentialsProvider credentials() {
    return credentials;
  }

  /** Closes the client, its connections and the credentials provider. */
  @Override
  public void close() {
    client.close();
    httpClient.close();
    if (credentials instanceof SdkAutoCloseable closeable) {
      closeable.close();
    }
  }

  /**
   * The HTTP client from the SDK's client on the class path (the Apache one), with our timeouts. It
   * is looked up through the SDK's own service interface so this code does not compile against a
   * particular client.
   */
  private static SdkHttpClient httpClient(Duration connectTimeout, Duration readTimeout) {
    SdkHttpService service =
        ServiceLoader.load(SdkHttpService.class)
            .findFirst()
            .orElseThrow(
                () -> new IllegalStateException("no AWS SDK HTTP client on the class path"));
    AttributeMap timeouts =
        AttributeMap.builder()
            .put(SdkHttpConfigurationOption.CONNECTION_TIMEOUT, connectTimeout)
            .put(SdkHttpConfigurationOption.READ_TIMEOUT, readTimeout)
            .build();
    return service.createHttpClientBuilder().buildWithDefaults(timeouts);
  }
}
