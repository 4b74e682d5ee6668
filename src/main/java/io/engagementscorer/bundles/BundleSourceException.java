package io.engagementscorer.bundles;

import io.engagementscorer.model.ModelException;

/**
 * A bundle could not be obtained from its source, or what was obtained is not a usable bundle. The
 * {@link Kind} says which, because each calls for something else: a rejected bundle is passed over
 * for the next key, an unreachable source for the cache, a refusal stops with the fix.
 */
public class BundleSourceException extends ModelException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, by what the service does about it. */
  public enum Kind {
    /** The bundle was read and failed a check: corrupt archive, files not matching the manifest. */
    REJECTED,
    /** The source could not be reached or answered with a transient error. */
    UNREACHABLE,
    /** The source answered that the configuration is wrong: credentials, bucket, region. */
    REFUSED
  }

  private final Kind kind;

  BundleSourceException(String message, Kind kind, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  static BundleSourceException rejected(String message, Throwable cause) {
    return new BundleSourceException(message, Kind.REJECTED, cause);
  }

  static BundleSourceException unavailable(String message, Throwable cause) {
    return new BundleSourceException(message, Kind.UNREACHABLE, cause);
  }

  static BundleSourceException refused(String message, Throwable cause) {
    return new BundleSourceException(message, Kind.REFUSED, cause);
  }

  /** What went wrong. */
  public Kind kind() {
    return kind;
  }

  /** Whether the bundle was read and failed a check, rather than not reached. */
  public boolean rejected() {
    return kind == Kind.REJECTED;
  }
}
