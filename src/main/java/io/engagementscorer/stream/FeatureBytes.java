package io.engagementscorer.stream;

import io.engagementscorer.scoring.ContentDigest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Features and digests in the stores' byte fields: float32 little-endian, 32-byte digests. */
final class FeatureBytes {
  private FeatureBytes() {}

  static ByteBuffer ofFloats(float[] values) {
    ByteBuffer buffer =
        ByteBuffer.allocate(Float.BYTES * values.length).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(values);
    return buffer;
  }

  static ByteBuffer ofFloatRows(List<float[]> rows) {
    int width = rows.isEmpty() ? 0 : rows.get(0).length;
    ByteBuffer buffer =
        ByteBuffer.allocate(Float.BYTES * width * rows.size()).order(ByteOrder.LITTLE_ENDIAN);
    for (int index = 0; index < rows.size(); index++) {
      buffer.position(index * width * Float.BYTES);
      buffer.asFloatBuffer().put(rows.get(index));
    }
    return buffer.position(0);
  }

  static float[] floats(ByteBuffer bytes) {
    float[] values = new float[bytes.remaining() / Float.BYTES];
    bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return values;
  }

  /** {@code count} rows of equal width. */
  static List<float[]> floatRows(ByteBuffer bytes, int count) {
    float[] all = floats(bytes);
    List<float[]> rows = new ArrayList<>(count);
    int width = count == 0 ? 0 : all.length / count;
    for (int row = 0; row < count; row++) {
      float[] values = new float[width];
      System.arraycopy(all, row * width, values, 0, width);
      rows.add(values);
    }
    return rows;
  }

  static ByteBuffer ofDigests(List<ContentDigest> digests) {
    ByteBuffer buffer = ByteBuffer.allocate(ContentDigest.BYTES * digests.size());
    digests.forEach(digest -> digest.writeTo(buffer));
    return buffer.flip();
  }

  static List<ContentDigest> digests(ByteBuffer bytes) {
    byte[] all = new byte[bytes.remaining()];
    bytes.duplicate().get(all);
    List<ContentDigest> digests = new ArrayList<>(all.length / ContentDigest.BYTES);
    for (int offset = 0;
        offset + ContentDigest.BYTES <= all.length;
        offset += ContentDigest.BYTES) {
      digests.add(ContentDigest.fromBytes(all, offset));
    }
    return digests;
  }
}
