package io.engagementscorer.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ContentDigestTest {
  @Test
  void shouldBeTheSha256OfTheContent() {
    assertThat(ContentDigest.of("abc").hex())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void shouldRoundTripThroughHexAndBytes() {
    ContentDigest digest = ContentDigest.of(new byte[] {1, 2, 3});
    ByteBuffer buffer = ByteBuffer.allocate(ContentDigest.BYTES + 3).position(3);
    digest.writeTo(buffer);

    assertThat(ContentDigest.fromHex(digest.hex())).isEqualTo(digest);
    assertThat(ContentDigest.fromBytes(buffer.array(), 3)).isEqualTo(digest);
  }

  @Test
  void shouldTellNoImageApartFromEveryContent() {
    assertThat(ContentDigest.of(new byte[0])).isNotEqualTo(ContentDigest.NO_IMAGE);
    assertThat(ContentDigest.NO_IMAGE.toString()).isEqualTo("no-image");
  }

  @Test
  void shouldRefuseHexThatIsNotASha256() {
    assertThatThrownBy(() -> ContentDigest.fromHex("abcd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("64 hex digits");
  }
}
