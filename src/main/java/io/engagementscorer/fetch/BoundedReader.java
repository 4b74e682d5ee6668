package io.engagementscorer.fetch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

/** Reads a body to its end, holding at most the cap plus one byte before giving up. */
final class BoundedReader {
  private static final int CHUNK = 64 * 1024;

  private BoundedReader() {}

  /**
   * All bytes of {@code in}, checking the deadline between reads.
   *
   * @throws io.engagementscorer.errors.InvalidInputException {@code image_too_large} as soon as
   *     more than {@code maxBytes} have arrived
   */
  static byte[] readAtMost(InputStream in, long maxBytes, FetchDeadline deadline, URI uri)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(maxBytes + 1, CHUNK));
    byte[] buffer = new byte[CHUNK];
    long total = 0;
    while (true) {
      deadline.check();
      int wanted = (int) Math.min(buffer.length, maxBytes + 1 - total);
      int read = in.read(buffer, 0, wanted);
      if (read < 0) {
        return out.toByteArray();
      }
      total += read;
      if (total > maxBytes) {
        throw ImageFetchProblems.tooLarge(uri, maxBytes);
      }
      out.write(buffer, 0, read);
    }
  }
}
