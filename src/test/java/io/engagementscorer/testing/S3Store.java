package io.engagementscorer.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3-compatible server in this JVM on loopback: s3proxy over an in-memory blob store, with
 * AWS signature checks on. It counts the blob-store calls the server makes for requests, so tests
 * can tell a download (a {@code getBlob}) from a metadata request.
 */
public final class S3Store implements AutoCloseable {
  public static final String ACCESS_KEY = "test-access-key";
  public static final String SECRET_KEY = "test-secret-key";

  private final BlobStoreContext context;
  private final BlobStore store;
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final S3Proxy proxy;
  private final int port;

  private S3Store() throws Exception {
    context =
        ContextBuilder.newBuilder("transient")
            .credentials("identity", "credential")
            .build(BlobStoreContext.class);
    store = context.getBlobStore();
    BlobStore counting =
        (BlobStore)
            Proxy.newProxyInstance(
                BlobStore.class.getClassLoader(),
                new Class<?>[] {BlobStore.class},
                (self, method, args) -> {
                  calls
                      .computeIfAbsent(method.getName(), name -> new AtomicInteger())
                      .incrementAndGet();
                  try {
                    return method.invoke(store, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    proxy =
        S3Proxy.builder()
            .blobStore(counting)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      Thread.sleep(10);
    }
    port = proxy.getPort();
  }

  /** Starts a server with no buckets. */
  public static S3Store start() throws Exception {
    return new S3Store();
  }

  /** The endpoint, for {@code S3_ENDPOINT}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Creates {@code bucket}. */
  public void createBucket(String bucket) {
    store.createContainerInLocation(null, bucket);
  }

  /** Writes an object directly into the store, bypassing the server. */
  public void put(String bucket, String key, byte[] content) {
    store.putBlob(bucket, store.blobBuilder(key).payload(content).build());
  }

  /** Deletes an object directly in the store. */
  public void delete(String bucket, String key) {
    store.removeBlob(bucket, key);
  }

  /** How many object downloads the server served (blob-store {@code getBlob} calls). */
  public int downloads() {
    AtomicInteger count = calls.get("getBlob");
    return count == null ? 0 : count.get();
  }

  /** Stops the server; the store's content stays for a test to look at. */
  public void stop() {
    if (!"STOPPED".equals(proxy.getState())) {
      try {
        proxy.stop();
      } catch (Exception e) {
        throw new IllegalStateException("s3proxy did not stop", e);
      }
    }
  }

  @Override
  public void close() {
    stop();
    context.close();
  }
}
