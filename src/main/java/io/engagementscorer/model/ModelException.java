package io.engagementscorer.model;

/** A model bundle that cannot be used: missing, corrupt, inconsistent or failing to load. */
public class ModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A bundle problem, described for the operator. */
  public ModelException(String message) {
    super(message);
  }

  /** A bundle problem caused by a lower-level failure, which is kept. */
  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
