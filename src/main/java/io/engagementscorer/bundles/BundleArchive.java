package io.engagementscorer.bundles;

import io.engagementscorer.model.ModelBundle;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks a bundle archive: a gzip-compressed tar with the bundle's files at its root, as {@code
 * python -m exporter publish} writes it (an archive holding one folder with the bundle inside is
 * accepted too). Only plain files and folders are unpacked: links, devices, absolute paths and
 * {@code ..} are refused, and so is an archive that unpacks to more than the byte limit.
 */
final class BundleArchive {
  private static final int BUFFER_BYTES = 1 << 16;

  private BundleArchive() {}

  /**
   * Unpacks {@code archive} into the new folder {@code target}.
   *
   * @return the bundle folder: {@code target}, or its only sub-folder when the manifest is there
   * @throws BundleSourceException (rejected) for a corrupt, unsafe or oversized archive
   */
  static Path unpack(Path archive, Path target, long maxBytes) {
    try {
      Files.createDirectories(target);
      long total = 0;
      try (InputStream file = Files.newInputStream(archive);
          TarArchiveInputStream tar =
              new TarArchiveInputStream(
                  new GZIPInputStream(new BufferedInputStream(file, BUFFER_BYTES), BUFFER_BYTES))) {
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
          Path destination = destination(target, entry);
          if (entry.isDirectory()) {
            Files.createDirectories(destination);
            continue;
          }
          Files.createDirectories(destination.getParent());
          total += copy(tar, destination, maxBytes - total);
        }
      }
    } catch (IOException e) {
      throw BundleSourceException.rejected(
          "the archive is corrupt or not a .tar.gz: " + e.getMessage(), e);
    }
    return bundleFolderOf(target);
  }

  private static Path destination(Path target, TarArchiveEntry entry) {
    String name = entry.getName();
    boolean special =
        entry.isSymbolicLink()
            || entry.isLink()
            || entry.isCharacterDevice()
            || entry.isBlockDevice()
            || entry.isFIFO();
    if (special || (!entry.isFile() && !entry.isDirectory())) {
      throw BundleSourceException.rejected(
          "the archive entry '" + name + "' is a link or special file; bundles hold plain files",
          null);
    }
    Path destination = target.resolve(name).normalize();
    if (name.startsWith("/") || !destination.startsWith(target) || destination.equals(target)) {
      throw BundleSourceException.rejected(
          "the archive entry '" + name + "' would land outside the bundle folder", null);
    }
    return destination;
  }

  private static long copy(InputStream in, Path destination, long remaining) throws IOException {
    byte[] buffer = new byte[BUFFER_BYTES];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(destination)) {
      int read;
      while ((read = in.read(buffer)) != -1) {
        written += read;
        if (written > remaining) {
          throw BundleSourceException.rejected(
              "the archive unpacks to more than MODEL_MAX_BUNDLE_BYTES allows", null);
        }
        out.write(buffer, 0, read);
      }
    }
    return written;
  }

  /**
   * The bundle folder of an unpacked archive: {@code target}, or its only sub-folder when the
   * manifest is there.
   */
  static Path bundleFolderOf(Path target) {
    if (Files.isRegularFile(target.resolve(ModelBundle.MANIFEST))) {
      return target;
    }
    try (var children = Files.list(target)) {
      var folders = children.filter(Files::isDirectory).toList();
      if (folders.size() == 1
          && Files.isRegularFile(folders.get(0).resolve(ModelBundle.MANIFEST))) {
        return folders.get(0);
      }
    } catch (IOException e) {
      throw BundleSourceException.rejected("cannot list the unpacked archive: " + e, e);
    }
    throw BundleSourceException.rejected(
        "the archive has no "
            + ModelBundle.MANIFEST
            + " at its root; publish bundles with `python -m exporter publish`",
        null);
  }
}
