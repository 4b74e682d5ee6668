package io.engagementscorer.config;

/** A configuration value that the service cannot start with; the message names the variable. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Invalid configuration, described for the person who set it. */
  public ConfigException(String message) {
    super(message);
  }
}
