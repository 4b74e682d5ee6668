package io.engagementscorer.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class FeatureCacheTest {
  private static final int FEATURES = 512;
  private static final long ENTRY_BYTES = FeatureCache.ENTRY_OVERHEAD_BYTES + 4L * FEATURES;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static ContentDigest digest(int index) {
    return ContentDigest.of("input " + index);
  }

  private double counter(String name, String cache, String result) {
    var search = registry.find(name).tag("cache", cache);
    if (result != null) {
      search = search.tag("result", result);
    }
    return search.counter().count();
  }

  @Test
  void shouldServeWhatWasPutForTheSameModelKindAndContentOnly() {
    FeatureCache cache = FeatureCache.create(1 << 20, registry);
    FeatureCache.View model = cache.forModel("m1@aaaa");
    float[] features = {1, 2, 3};

    model.put(FeatureKind.IMAGE, digest(1), features);

    assertThat(model.get(FeatureKind.IMAGE, digest(1))).isSameAs(features);
    assertThat(model.get(FeatureKind.IMAGE, digest(2))).isNull();
    assertThat(model.get(FeatureKind.TEXT, digest(1))).isNull();
    assertThat(cache.forModel("m2@bbbb").get(FeatureKind.IMAGE, digest(1))).isNull();
    assertThat(model.get(FeatureKind.IMAGE, null)).isNull();
    assertThat(counter("engagement.feature.cache.lookups", "image", "hit")).isEqualTo(1);
    assertThat(counter("engagement.feature.cache.lookups", "image", "miss")).isEqualTo(2);
    assertThat(counter("engagement.feature.cache.lookups", "text", "miss")).isEqualTo(1);
  }

  @Test
  void shouldStayWithinItsBoundInBytesAndCountEvictions() {
    long bound = 100 * ENTRY_BYTES;
    FeatureCache cache = FeatureCache.create(bound, registry);
    FeatureCache.View model = cache.forModel("m1@aaaa");

    for (int index = 0; index < 1_000; index++) {
      model.put(FeatureKind.IMAGE, digest(index), new float[FEATURES]);
      model.put(FeatureKind.TEXT, digest(index), new float[FEATURES]);
    }
    cache.cleanUp();

    assertThat(cache.bytes()).isPositive().isLessThanOrEqualTo(bound);
    assertThat(cache.bytes(FeatureKind.IMAGE) + cache.bytes(FeatureKind.TEXT))
        .isEqualTo(cache.bytes());
    double evictions =
        counter("engagement.feature.cache.evictions", "image", null)
            + counter("engagement.feature.cache.evictions", "text", null);
    assertThat(evictions).isEqualTo(2_000 - cache.bytes() / ENTRY_BYTES);
    assertThat(
            registry.find("engagement.feature.cache.bytes").tag("cache", "image").gauge().value())
        .isEqualTo(cache.bytes(FeatureKind.IMAGE));
  }

  @Test
  void shouldDropTheEntriesOfAModelThatClosedAndKeepTheOthers() {
    FeatureCache cache = FeatureCache.create(1 << 20, registry);
    cache.forModel("old@aaaa").put(FeatureKind.SENTIMENT, digest(1), new float[5]);
    cache.forModel("old@aaaa").put(FeatureKind.TEXT, digest(2), new float[16]);
    cache.forModel("new@bbbb").put(FeatureKind.SENTIMENT, digest(1), new float[5]);

    int dropped = cache.invalidateModel("old@aaaa");

    assertThat(dropped).isEqualTo(2);
    assertThat(cache.forModel("old@aaaa").get(FeatureKind.SENTIMENT, digest(1))).isNull();
    assertThat(cache.forModel("new@bbbb").get(FeatureKind.SENTIMENT, digest(1))).isNotNull();
    assertThat(cache.bytes()).isEqualTo(FeatureCache.ENTRY_OVERHEAD_BYTES + 4L * 5);
  }

  @Test
  void shouldHoldNothingWhenTurnedOff() {
    FeatureCache cache = FeatureCache.create(0, registry);
    FeatureCache.View model = cache.forModel("m1@aaaa");

    model.put(FeatureKind.IMAGE, digest(1), new float[] {1});

    assertThat(cache.enabled()).isFalse();
    assertThat(model.get(FeatureKind.IMAGE, digest(1))).isNull();
    assertThat(cache.bytes()).isZero();
  }

  @Test
  void shouldKeepTheFirstValueWhenTheSameContentIsPutTwice() {
    FeatureCache cache = FeatureCache.create(1 << 20, registry);
    FeatureCache.View model = cache.forModel("m1@aaaa");
    float[] first = {1};

    model.put(FeatureKind.TEXT, digest(1), first);
    model.put(FeatureKind.TEXT, digest(1), new float[] {1});

    assertThat(model.get(FeatureKind.TEXT, digest(1))).isSameAs(first);
    assertThat(cache.bytes(FeatureKind.TEXT)).isEqualTo(FeatureCache.ENTRY_OVERHEAD_BYTES + 4L);
  }
}
