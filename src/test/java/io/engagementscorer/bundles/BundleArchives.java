package io.engagementscorer.bundles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Bundle archives for tests: a folder as .tar.gz, the way the exporter publishes it, or any
 * entries.
 */
final class BundleArchives {
  private BundleArchives() {}

  /** The files of {@code bundle}, relative name to content, manifest first. */
  static Map<String, byte[]> filesOf(Path bundle) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (Stream<Path> walk = Files.walk(bundle)) {
      List<Path> paths = walk.filter(Files::isRegularFile).sorted().toList();
      files.put("manifest.json", Files.readAllBytes(bundle.resolve("manifest.json")));
      for (Path path : paths) {
        files.putIfAbsent(bundle.relativize(path).toString(), Files.readAllBytes(path));
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code bundle} as a .tar.gz with its files at the root. */
  static byte[] tarGz(Path bundle) {
    return tarGz(filesOf(bundle));
  }

  /** A .tar.gz of plain files, in the map's order. */
  static byte[] tarGz(Map<String, byte[]> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream gzip = new GZIPOutputStream(bytes);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
        entry.setSize(file.getValue().length);
        tar.putArchiveEntry(entry);
        tar.write(file.getValue());
        tar.closeArchiveEntry();
      }
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A .tar.gz holding one symbolic link. */
  static byte[] tarGzWithLink(String name, String target) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream gzip = new GZIPOutputStream(bytes);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
      TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
      entry.setLinkName(target);
      tar.putArchiveEntry(entry);
      tar.closeArchiveEntry();
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
