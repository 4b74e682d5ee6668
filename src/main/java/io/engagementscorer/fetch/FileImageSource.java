package io.engagementscorer.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads {@code file:///...} references under one root directory, for local use. A path must lie
 * under the root both as written (after removing {@code ..}) and after resolving symbolic links, so
 * neither {@code ../} nor a link pointing out of the root escapes it. Only regular files are read.
 */
final class FileImageSource implements ImageSource {
  private final Path root;
  private final Path realRoot;
  private final long maxBytes;
  private final FetchSettings settings;

  /**
   * A source reading under {@code settings.fileRoot()}, which must be an existing directory.
   *
   * @throws IllegalArgumentException naming the setting when the root is missing or not a directory
   */
  FileImageSource(FetchSettings settings) {
    this.settings = settings;
    this.root = settings.fileRoot().normalize();
    this.maxBytes = settings.maxBytes();
    try {
      this.realRoot = root.toRealPath();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "fetch setting fileRoot must be an existing directory, got '" + root + "'", e);
    }
    if (!Files.isDirectory(realRoot)) {
      throw new IllegalArgumentException(
          "fetch setting fileRoot must be a directory, got '" + root + "'");
    }
  }

  @Override
  public byte[] fetch(URI uri) {
    Path real = resolveUnderRoot(uri);
    BasicFileAttributes attributes = attributesOf(real, uri);
    if (!attributes.isRegularFile()) {
      throw ImageFetchProblems.forbidden(uri, "not a regular file");
    }
    if (attributes.size() > maxBytes) {
      throw ImageFetchProblems.tooLarge(uri, maxBytes);
    }
    // The file may grow after the size check, so the read is capped as well.
    try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
      return BoundedReader.readAtMost(in, maxBytes, FetchDeadline.in(settings.readTimeout()), uri);
    } catch (NoSuchFileException e) {
      throw ImageFetchProblems.notFound(uri, "no such file");
    } catch (IOException e) {
      throw new ImageFetchException(
          "reading " + ImageFetchProblems.quote(uri) + " failed", false, e);
    }
  }

  /** The real path of the file, checked to lie under the root before and after resolving links. */
  private Path resolveUnderRoot(URI uri) {
    Path written = pathOf(uri).normalize();
    // Checked before touching the file system, so nothing is learned about files outside the root.
    if (!written.startsWith(root) && !written.startsWith(realRoot)) {
      throw ImageFetchProblems.forbidden(uri, "outside the configured image root");
    }
    Path real;
    try {
      real = written.toRealPath();
    } catch (NoSuchFileException e) {
      throw ImageFetchProblems.notFound(uri, "no such file");
    } catch (AccessDeniedException e) {
      throw ImageFetchProblems.forbidden(uri, "not readable");
    } catch (IOException e) {
      throw new ImageFetchException(
          "resolving " + ImageFetchProblems.quote(uri) + " failed", false, e);
    }
    if (!real.startsWith(realRoot)) {
      throw ImageFetchProblems.forbidden(uri, "a link leads outside the configured image root");
    }
    return real;
  }

  private static Path pathOf(URI uri) {
    String authority = uri.getRawAuthority();
    if (authority != null && !authority.isEmpty()) {
      throw ImageFetchProblems.invalidUri(
          uri.toString(), "file URIs must have no host (file:///...)");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw ImageFetchProblems.invalidUri(uri.toString(), "file URIs take no query or fragment");
    }
    try {
      return Path.of(uri);
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      throw ImageFetchProblems.invalidUri(uri.toString(), "not a local file path");
    }
  }

  private static BasicFileAttributes attributesOf(Path real, URI uri) {
    try {
      return Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw ImageFetchProblems.notFound(uri, "no such file");
    } catch (IOException e) {
      throw new ImageFetchException(
          "reading " + ImageFetchProblems.quote(uri) + " failed", false, e);
    }
  }
}
