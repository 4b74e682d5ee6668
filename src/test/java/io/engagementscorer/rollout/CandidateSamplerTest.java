package io.engagementscorer.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CandidateSamplerTest {
  @Test
  void shouldTakeAboutTheRateOfPostsAndAlwaysTheSameOnes() {
    CandidateSampler sampler = new CandidateSampler(0.1);
    long taken = IntStream.range(0, 20_000).filter(i -> sampler.sampled("post-" + i)).count();
    assertThat(taken / 20_000.0).isCloseTo(0.1, within(0.01));
    CandidateSampler again = new CandidateSampler(0.1);
    IntStream.range(0, 1_000)
        .forEach(
            i -> assertThat(again.sampled("post-" + i)).isEqualTo(sampler.sampled("post-" + i)));
  }

  @Test
  void shouldKeepEveryPostTakenAtALowerRateWhenTheRateGrows() {
    CandidateSampler low = new CandidateSampler(0.2);
    CandidateSampler high = new CandidateSampler(0.5);
    IntStream.range(0, 2_000)
        .mapToObj(i -> "p" + i)
        .filter(low::sampled)
        .forEach(id -> assertThat(high.sampled(id)).isTrue());
  }

  @Test
  void shouldTakeNoneAtZeroAndAllAtOne() {
    assertThat(new CandidateSampler(0).sampled("x")).isFalse();
    assertThat(new CandidateSampler(1).sampled("x")).isTrue();
    // The position is a pure function of the id, pinned so that every instance agrees.
    assertThat(CandidateSampler.position("post-1")).isBetween(0.0, 1.0);
    assertThat(CandidateSampler.position("post-1")).isEqualTo(CandidateSampler.position("post-1"));
    assertThatThrownBy(() -> new CandidateSampler(1.5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
