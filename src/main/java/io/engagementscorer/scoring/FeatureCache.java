package io.engagementscorer.scoring;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Features already computed, reused by content: image bytes → image features, cleaned text → text
 * features, comment text → sentiment probabilities. One Caffeine cache bounded in bytes holds all
 * three kinds; an entry is keyed by the model that computed it ({@link
 * io.engagementscorer.model.EngagementModel#featureKey()}) and the sha-256 of its input, so it is
 * never served for other content or another model. Only finished forward passes put entries.
 * Thread-safe.
 */
public final class FeatureCache {
  /**
   * Estimated bytes of an entry beside its values, on a 64-bit JVM with compressed pointers: the
   * key (about 32) and its digest (48), the array header (16), Caffeine's weighted node (about 56)
   * and the hash table's node and slot (about 40).
   */
  static final int ENTRY_OVERHEAD_BYTES = 192;

  private static final FeatureCache DISABLED = new FeatureCache(null, Map.of());

  private final Cache<Key, float[]> cache;
  private final Map<FeatureKind, KindMeters> meters;

  private FeatureCache(Cache<Key, float[]> cache, Map<FeatureKind, KindMeters> meters) {
    this.cache = cache;
    this.meters = meters;
  }

  /** An entry's identity. */
  private record Key(String modelKey, FeatureKind kind, ContentDigest digest) {}

  /** The counters and the byte gauge of one kind. */
  private record KindMeters(Counter hits, Counter misses, Counter evictions, AtomicLong bytes) {}

  /**
   * A cache of at most {@code maxBytes} (estimated), with its metrics in {@code registry}; {@code
   * maxBytes} 0 gives a cache that holds nothing.
   */
  public static FeatureCache create(long maxBytes, MeterRegistry registry) {
    if (maxBytes <= 0) {
      return DISABLED;
    }
    Map<FeatureKind, KindMeters> meters = new EnumMap<>(FeatureKind.class);
    for (FeatureKind kind : FeatureKind.values()) {
      meters.put(kind, kindMeters(kind, registry));
    }
    Cache<Key, float[]> cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((Key key, float[] value) -> weight(value))
            // Listeners on the writing thread: the byte gauges stay exact, no pool is needed.
            .executor(Runnable::run)
            .removalListener(
                (Key key, float[] value, RemovalCause cause) -> {
                  KindMeters kind = meters.get(key.kind());
                  kind.bytes().addAndGet(-weight(value));
                  if (cause.wasEvicted()) {
                    kind.evictions().increment();
                  }
                })
            .build();
    Gauge.builder("engagement.feature.cache.max.bytes", () -> maxBytes)
        .description("The feature caches' bound in bytes (FEATURE_CACHE_MB)")
        .baseUnit("bytes")
        .register(registry);
    return new FeatureCache(cache, meters);
  }

  /** A cache that holds nothing (FEATURE_CACHE_MB=0, and the start-up self-check). */
  public static FeatureCache disabled() {
    return DISABLED;
  }

  private static KindMeters kindMeters(FeatureKind kind, MeterRegistry registry) {
    AtomicLong bytes = new AtomicLong();
    Gauge.builder("engagement.feature.cache.bytes", bytes, AtomicLong::get)
        .tag("cache", kind.label())
        .description("Estimated bytes held by a feature cache")
        .baseUnit("bytes")
        .register(registry);
    return new KindMeters(
        lookups(registry, kind, "hit"),
        lookups(registry, kind, "miss"),
        Counter.builder("engagement.feature.cache.evictions")
            .tag("cache", kind.label())
            .description("Features evicted to keep the caches within FEATURE_CACHE_MB")
            .register(registry),
        bytes);
  }

  private static Counter lookups(MeterRegistry registry, FeatureKind kind, String result) {
    return Counter.builder("engagement.feature.cache.lookups")
        .tag("cache", kind.label())
        .tag("result", result)
        .description("Feature cache lookups: a hit skips a forward pass for that input")
        .register(registry);
  }

  private static int weight(float[] value) {
    return ENTRY_OVERHEAD_BYTES + Float.BYTES * value.length;
  }

  /** Whether this cache can hold anything. */
  public boolean enabled() {
    return cache != null;
  }

  /** The entries of one model. */
  public View forModel(String modelKey) {
    return new View(modelKey);
  }

  /** Drops every entry of {@code modelKey}: its model closed, nothing will ask for them again. */
  public int invalidateModel(String modelKey) {
    if (cache == null) {
      return 0;
    }
    int[] dropped = {0};
    cache
        .asMap()
        .keySet()
        .removeIf(
            key -> {
              boolean drop = key.modelKey().equals(modelKey);
              dropped[0] += drop ? 1 : 0;
              return drop;
            });
    return dropped[0];
  }

  /** Estimated bytes held now, of every kind. */
  public long bytes() {
    long total = 0;
    for (KindMeters kind : meters.values()) {
      total += kind.bytes().get();
    }
    return total;
  }

  /** Estimated bytes held now of one kind. */
  public long bytes(FeatureKind kind) {
    KindMeters kindMeters = meters.get(kind);
    return kindMeters == null ? 0 : kindMeters.bytes().get();
  }

  /** Runs pending maintenance (evictions), so that sizes read afterwards are settled. */
  public void cleanUp() {
    if (cache != null) {
      cache.cleanUp();
    }
  }

  /** One model's features. Thread-safe. */
  public final class View {
    private final String modelKey;

    private View(String modelKey) {
      this.modelKey = modelKey;
    }

    /** The model these features belong to. */
    public String modelKey() {
      return modelKey;
    }

    /**
     * Whether features are reused at all: a cache that holds nothing (FEATURE_CACHE_MB=0) also
     * turns off reuse of what callers kept, so every score computes everything.
     */
    public boolean reusing() {
      return cache != null;
    }

    /**
     * The features of {@code digest}, or null; a null digest (content that is not to be reused,
     * such as the self-check's tensors) is never found.
     */
    public float[] get(FeatureKind kind, ContentDigest digest) {
      if (cache == null || digest == null) {
        return null;
      }
      float[] features = cache.getIfPresent(new Key(modelKey, kind, digest));
      KindMeters kindMeters = meters.get(kind);
      (features == null ? kindMeters.misses() : kindMeters.hits()).increment();
      return features;
    }

    /**
     * Keeps the features a finished forward pass computed for {@code digest}; the array is not
     * changed afterwards by anyone, callers included.
     */
    public void put(FeatureKind kind, ContentDigest digest, float[] features) {
      if (cache == null || digest == null) {
        return;
      }
      // Equal keys have equal values, so an entry already there stays (no replacement churn).
      if (cache.asMap().putIfAbsent(new Key(modelKey, kind, digest), features) == null) {
        meters.get(kind).bytes().addAndGet(weight(features));
      }
    }
  }
}
