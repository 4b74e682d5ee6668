package io.engagementscorer.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PostRateTest {
  @Test
  void shouldGiveTheRatePerSecondAndNoBurstAfterAPause() {
    AtomicLong now = new AtomicLong();
    PostRate rate = new PostRate(10, now::get);
    int taken = 0;
    for (int step = 0; step < 100; step++) {
      now.addAndGet(10_000_000L); // 10 ms at a time, for one second
      while (rate.tryAcquire()) {
        taken++;
      }
    }
    assertThat(taken).isBetween(10, 11);

    now.addAndGet(60_000_000_000L); // a minute's pause holds one second's worth, not sixty
    int burst = 0;
    while (rate.tryAcquire()) {
      burst++;
    }
    assertThat(burst).isEqualTo(10);
  }
}
